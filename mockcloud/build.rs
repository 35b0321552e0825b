//! Build information for `--version` of both binaries (`mockcloud`, and `nova-conform`, which
//! reads it through `mockcloud::build_info`): the commit the tree was built from, as
//! `MOCKCLOUD_BUILD_COMMIT` = `<short hash> <commit date>` (e.g. `8a1e1a1 2026-12-01`).
//!
//! - `NOVA_CONFORM_COMMIT`, when set and not empty, is taken as is (packagers building from a
//!   tarball, or wanting a release name there).
//! - Otherwise `git` is asked, but only if the repository it finds is this workspace's own: a
//!   tarball unpacked inside some other repository must not take that one's commit.
//! - Otherwise (no git, no repository, git fails): `unknown commit`.
//!
//! Incremental builds: cargo reruns this script only when HEAD moves (`.git/HEAD`, and the
//! branch ref HEAD points to, or `packed-refs` where the ref is packed) or the variable
//! changes. In a worktree `.git` is a file naming the worktree's git dir, whose HEAD is
//! there while the branch refs are in the common dir; `git rev-parse` resolves both.

use std::path::{Path, PathBuf};
use std::process::Command;

const FALLBACK: &str = "unknown commit";

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn absolute(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// The commit of the workspace at `root`, registering the files whose change moves it.
fn from_git(root: &Path) -> Option<String> {
    let top = git(root, &["rev-parse", "--show-toplevel"])?;
    let same = match (Path::new(&top).canonicalize(), root.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        return None;
    }
    let git_dir = absolute(root, &git(root, &["rev-parse", "--git-dir"])?);
    let common = absolute(root, &git(root, &["rev-parse", "--git-common-dir"])?);
    let head = git_dir.join("HEAD");
    if head.exists() {
        println!("cargo:rerun-if-changed={}", head.display());
    }
    // A detached HEAD names no ref: HEAD itself is what moves.
    if let Some(reference) = git(root, &["symbolic-ref", "-q", "HEAD"]) {
        let loose = common.join(&reference);
        if loose.exists() {
            println!("cargo:rerun-if-changed={}", loose.display());
        } else if let Some(dir) = loose.parent().filter(|d| d.is_dir()) {
            // A packed ref (after `git gc`): the next commit writes it loose, into this
            // directory, which cargo scans for changed files.
            println!("cargo:rerun-if-changed={}", dir.display());
        }
    }
    // A path that does not exist would rerun the script on every build, hence the checks.
    let packed = common.join("packed-refs");
    if packed.exists() {
        println!("cargo:rerun-if-changed={}", packed.display());
    }
    git(
        root,
        &[
            "log",
            "-1",
            "--no-show-signature",
            "--format=%h %cd",
            "--date=short",
            "--abbrev=7",
        ],
    )
}

fn main() {
    println!("cargo:rerun-if-env-changed=NOVA_CONFORM_COMMIT");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // The workspace root: this crate is one level below it.
    let root = manifest.parent().unwrap_or(&manifest).to_path_buf();
    let commit = match std::env::var("NOVA_CONFORM_COMMIT") {
        Ok(v) if !v.trim().is_empty() => v.trim().to_string(),
        _ => from_git(&root).unwrap_or_else(|| FALLBACK.to_string()),
    };
    println!("cargo:rustc-env=MOCKCLOUD_BUILD_COMMIT={commit}");
}
