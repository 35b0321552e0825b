//! Shell completions and man pages of a clap command, for both binaries of the workspace
//! (`mockcloud` and `nova-conform`, which already depends on this crate): one implementation so
//! both binaries' pages have the same layout and the same EXIT STATUS section.
//!
//! The pages are made by the binary itself (`man --out DIR`) rather than by a build script:
//! they then always describe the binary that is installed, and the build stays free of a copy
//! of the CLI definition.

use clap::Command;
use clap_complete::Shell;
use roff::{bold, roman, Roff};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit codes of one command: `(code, meaning)`.
pub type ExitCodes = &'static [(u8, &'static str)];

/// The exit-code tables of a binary, keyed by page name (`nova-conform`, `nova-conform-run`,
/// `nova-conform-migration-list`). A page without its own entry takes its nearest parent's
/// (`nova-conform-migration-list` -> `nova-conform-migration` -> `nova-conform`).
pub type ExitCodeTable = &'static [(&'static str, ExitCodes)];

/// Write the completion script of `cmd` for `shell` (the binary name is `cmd`'s name).
pub fn write_completions(mut cmd: Command, shell: Shell, out: &mut dyn Write) {
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, &mut cmd, name, out);
}

/// The completion script for `shell` (clap_complete panics on a failed write, so the script
/// is made in memory and written by the caller: `completions bash | head` ends quietly).
pub fn completions(cmd: Command, shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    write_completions(cmd, shell, &mut buf);
    buf
}

/// One rendered man page.
#[derive(Debug, Clone)]
pub struct ManPage {
    /// `nova-conform-run.1`
    pub file_name: String,
    /// `nova-conform-run`
    pub name: String,
    pub roff: Vec<u8>,
}

fn exit_codes_for(table: ExitCodeTable, page: &str) -> Option<ExitCodes> {
    let mut name = page;
    loop {
        if let Some((_, codes)) = table.iter().find(|(n, _)| *n == name) {
            return Some(codes);
        }
        name = &name[..name.rfind('-')?];
    }
}

/// `bin`: the binary's name and package version (`mockcloud`, `0.1.0`), the source every page
/// of it names (a subcommand has no version of its own; the commit is in VERSION, as the
/// footer line has no room for it).
fn render_page(
    cmd: &Command,
    bin: &(String, String),
    date: &str,
    table: ExitCodeTable,
) -> std::io::Result<ManPage> {
    let root = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
    let man = clap_mangen::Man::new(cmd.clone())
        .date(date)
        .source(format!("{} {}", bin.0, bin.1).trim_end().to_string())
        .manual(format!("{} manual", bin.0));
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut buf)?;
    }
    if cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some() {
        man.render_extra_section(&mut buf)?;
    }
    if let Some(codes) = exit_codes_for(table, &root) {
        let mut r = Roff::new();
        r.control("SH", ["EXIT STATUS"]);
        for (code, meaning) in codes {
            r.control("TP", []);
            r.text([bold(code.to_string())]);
            r.text([roman(*meaning)]);
        }
        r.to_writer(&mut buf)?;
    }
    if cmd.get_version().is_some() {
        man.render_version_section(&mut buf)?;
    }
    Ok(ManPage {
        file_name: man.get_filename(),
        name: root,
        roff: buf,
    })
}

/// Every page of `cmd`: the binary's own, then one per subcommand (nested ones too), in
/// definition order. `date` (`YYYY-MM-DD`) goes in the title line: the commit's date, so
/// that the pages of one commit are the same whenever they are made.
pub fn man_pages(cmd: Command, date: &str, table: ExitCodeTable) -> std::io::Result<Vec<ManPage>> {
    fn walk(
        cmd: &Command,
        bin: &(String, String),
        date: &str,
        table: ExitCodeTable,
        out: &mut Vec<ManPage>,
    ) -> std::io::Result<()> {
        out.push(render_page(cmd, bin, date, table)?);
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, bin, date, table, out)?;
        }
        Ok(())
    }
    // clap's implicit `help` subcommand is no command of ours: no page for it. `build` sets
    // each subcommand's display name (`nova-conform-run`), which names its page.
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let bin = (
        cmd.get_name().to_string(),
        cmd.get_version()
            .unwrap_or_default()
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_string(),
    );
    let mut out = Vec::new();
    walk(&cmd, &bin, date, table, &mut out)?;
    Ok(out)
}

/// Write [`man_pages`] into `dir` (created if missing); returns the paths written.
pub fn write_man_pages(
    cmd: Command,
    date: &str,
    table: ExitCodeTable,
    dir: &Path,
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut paths = Vec::new();
    for page in man_pages(cmd, date, table)? {
        let path = dir.join(&page.file_name);
        std::fs::write(&path, &page.roff)?;
        paths.push(path);
    }
    Ok(paths)
}

/// The date part of [`crate::build_info::COMMIT`] (`8a1e1a1 2026-12-01` -> `2026-12-01`);
/// empty when the commit is unknown or was given without a date.
pub fn commit_date() -> &'static str {
    crate::build_info::COMMIT
        .rsplit(' ')
        .next()
        .filter(|d| {
            d.len() == 10
                && d.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                })
        })
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: ExitCodeTable = &[
        ("tool", &[(0, "ok"), (1, "bad")]),
        ("tool-sub", &[(0, "sub ok")]),
    ];

    #[test]
    fn exit_codes_fall_back_to_the_nearest_parent() {
        assert_eq!(exit_codes_for(TABLE, "tool-sub").unwrap()[0].1, "sub ok");
        assert_eq!(
            exit_codes_for(TABLE, "tool-sub-deep").unwrap()[0].1,
            "sub ok"
        );
        assert_eq!(exit_codes_for(TABLE, "tool-other").unwrap().len(), 2);
        assert!(exit_codes_for(TABLE, "else").is_none());
    }

    #[test]
    fn one_page_per_command_with_exit_status() {
        let cmd = Command::new("tool")
            .version("1")
            .subcommand(
                Command::new("sub")
                    .about("A sub")
                    .subcommand(Command::new("deep")),
            )
            .subcommand(Command::new("hidden").hide(true));
        let pages = man_pages(cmd, "2026-12-01", TABLE).unwrap();
        let names: Vec<&str> = pages.iter().map(|p| p.file_name.as_str()).collect();
        assert_eq!(names, ["tool.1", "tool-sub.1", "tool-sub-deep.1"]);
        let sub = String::from_utf8(pages[1].roff.clone()).unwrap();
        assert!(sub.contains(".SH \"EXIT STATUS\""), "{sub}");
        assert!(sub.contains("sub ok"));
        assert!(sub.contains("2026-12-01"));
        assert!(sub.contains("tool manual"), "{sub}");
    }
}
