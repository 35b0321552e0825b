//! The completion scripts and man pages of a binary (`nova-conform`, `mockcloud`), checked
//! from a table of what each must contain: one check for both binaries.
use std::ops::RangeInclusive;
use std::path::Path;
use std::process::Command;

/// What a binary's `completions` and `man` must produce.
pub struct CliDocs<'a> {
    /// The binary (`env!("CARGO_BIN_EXE_...")`).
    pub exe: &'a str,
    /// Its name, as the scripts and pages name it.
    pub name: &'a str,
    /// Every subcommand: each is completed and has a page `<name>-<sub>.1` the main page
    /// names.
    pub subcommands: &'a [&'a str],
    /// Pages besides `<name>.1` and one a subcommand (nested subcommands').
    pub nested_pages: &'a [&'a str],
    /// The start of the bash script's `complete -F` line.
    pub bash_complete: &'a str,
    /// What the bash script must also hold (nested subcommands, flags).
    pub bash_holds: &'a [&'a str],
    /// A shell `completions` refuses (exit 2).
    pub unknown_shell: &'a str,
    /// Pages and what each must hold.
    pub page_holds: &'a [(&'a str, &'a [&'a str])],
    /// Pages and the exit codes their EXIT STATUS lists.
    pub page_codes: &'a [(&'a str, RangeInclusive<u8>)],
    /// A page as man(1) renders it (where man is installed), and what it must show besides
    /// EXIT STATUS.
    pub rendered: (&'a str, &'a str),
}

/// The binary's stdout for `args`, which must exit 0.
pub fn stdout_of(exe: &str, args: &[&str]) -> String {
    let out = Command::new(exe).args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

impl CliDocs<'_> {
    /// `--version` prints `<name> <pkg_version> (<commit>)`, the commit the binary was built
    /// from (`mockcloud::build_info::COMMIT`, never empty).
    pub fn check_version(&self, pkg_version: &str) {
        let commit = mockcloud::build_info::COMMIT;
        assert_ne!(commit, "");
        assert_eq!(
            stdout_of(self.exe, &["--version"]),
            format!("{} {pkg_version} ({commit})\n", self.name)
        );
    }

    /// bash, zsh and fish scripts name every subcommand; bash accepts its script; an unknown
    /// shell exits 2.
    pub fn check_completions(&self) {
        let out = |args: &[&str]| stdout_of(self.exe, args);
        let bash = out(&["completions", "bash"]);
        let zsh = out(&["completions", "zsh"]);
        let fish = out(&["completions", "fish"]);
        assert!(bash.contains(self.bash_complete), "{bash}");
        assert!(
            zsh.starts_with(&format!("#compdef {}\n", self.name)),
            "{zsh}"
        );
        assert!(
            fish.contains(&format!("complete -c {}", self.name)),
            "{fish}"
        );
        for (shell, script) in [("bash", &bash), ("zsh", &zsh), ("fish", &fish)] {
            for sub in self.subcommands {
                assert!(script.contains(sub), "{shell} completes {sub}");
            }
        }
        for s in self.bash_holds {
            assert!(bash.contains(s), "bash completes {s}");
        }
        let path = std::env::temp_dir().join(format!(
            "{}-completion-{}.bash",
            self.name,
            std::process::id()
        ));
        std::fs::write(&path, &bash).unwrap();
        let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let bad = Command::new(self.exe)
            .args(["completions", self.unknown_shell])
            .output()
            .unwrap();
        assert_eq!(
            bad.status.code(),
            Some(2),
            "completions {}",
            self.unknown_shell
        );
    }

    /// `man --out DIR` writes exactly the main page, one a subcommand and the nested ones,
    /// lists each; `man` alone prints the main page; every page has its EXIT STATUS and the
    /// manual's name, and holds what the table says.
    pub fn check_man_pages(&self) {
        let dir = std::env::temp_dir().join(format!("{}-man-{}", self.name, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let listed = stdout_of(self.exe, &["man", "--out", dir.to_str().unwrap()]);
        let result = std::panic::catch_unwind(|| self.check_pages(&dir, &listed));
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = result {
            std::panic::resume_unwind(e);
        }
    }

    fn check_pages(&self, dir: &Path, listed: &str) {
        let name = self.name;
        let mut expected: Vec<String> = std::iter::once(format!("{name}.1"))
            .chain(self.subcommands.iter().map(|s| format!("{name}-{s}.1")))
            .chain(self.nested_pages.iter().map(|p| p.to_string()))
            .collect();
        expected.sort();
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, expected);
        assert_eq!(listed.lines().count(), expected.len(), "{listed}");
        let page = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let main = page(&format!("{name}.1"));
        assert_eq!(
            main,
            stdout_of(self.exe, &["man"]),
            "`man` alone prints the main page"
        );
        let roff = |s: &str| s.replace('-', "\\-");
        for sub in self.subcommands {
            assert!(
                main.contains(&format!("{}(1)", roff(&format!("{name}-{sub}")))),
                "the main page names {sub}"
            );
        }
        for f in &files {
            let text = page(f);
            assert!(text.contains(".SH \"EXIT STATUS\""), "{f}");
            assert!(text.contains(&format!("\"{name} manual\"")), "{f}");
        }
        for (f, holds) in self.page_holds {
            let text = page(f);
            for h in *holds {
                assert!(text.contains(h), "{f} holds {h:?}");
            }
        }
        for (f, codes) in self.page_codes {
            let text = page(f);
            for code in codes.clone() {
                assert!(
                    text.contains(&format!(".TP\n\\fB{code}\\fR\n")),
                    "{f}: exit {code}"
                );
            }
        }
        let (f, shows) = self.rendered;
        if let Ok(out) = Command::new("man")
            .args(["-l", "-P", "cat"])
            .arg(dir.join(f))
            .env("MANWIDTH", "100")
            .output()
        {
            if out.status.success() {
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(text.contains("EXIT STATUS"), "{text}");
                assert!(text.contains(shows), "{text}");
            }
        }
    }
}
