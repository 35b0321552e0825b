//! `mockcloud --version`, `mockcloud completions SHELL` and `mockcloud man`.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mockcloud"))
}

const SUBCOMMANDS: [&str; 4] = ["serve", "bench", "completions", "man"];

fn stdout(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn version_names_the_commit() {
    assert_eq!(
        stdout(&["--version"]),
        format!(
            "mockcloud {} ({})\n",
            env!("CARGO_PKG_VERSION"),
            mockcloud::build_info::COMMIT
        )
    );
    // Built from a git checkout (as the tests are) the commit is HEAD's, unless a packager
    // set NOVA_CONFORM_COMMIT.
    let head = Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "log",
            "-1",
            "--format=%h %cd",
            "--date=short",
            "--abbrev=7",
        ])
        .output();
    match (option_env!("NOVA_CONFORM_COMMIT"), head) {
        (Some(v), _) if !v.trim().is_empty() => assert_eq!(mockcloud::build_info::COMMIT, v.trim()),
        (_, Ok(out)) if out.status.success() => assert_eq!(
            mockcloud::build_info::COMMIT,
            String::from_utf8(out.stdout).unwrap().trim()
        ),
        _ => assert_eq!(mockcloud::build_info::COMMIT, "unknown commit"),
    }
}

#[test]
fn completion_scripts_for_each_shell() {
    let bash = stdout(&["completions", "bash"]);
    assert!(bash.contains("complete -F _mockcloud"), "{bash}");
    let zsh = stdout(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef mockcloud\n"), "{zsh}");
    let fish = stdout(&["completions", "fish"]);
    assert!(fish.contains("complete -c mockcloud"), "{fish}");
    for (shell, script) in [("bash", &bash), ("zsh", &zsh), ("fish", &fish)] {
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completes {sub}");
        }
    }
    // The flags of serve, e.g. the new --state-file, are completed too.
    assert!(bash.contains("--state-file"));
    // bash accepts the script.
    let path =
        std::env::temp_dir().join(format!("mockcloud-completion-{}.bash", std::process::id()));
    std::fs::write(&path, &bash).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _ = std::fs::remove_file(&path);
    let bad = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn man_pages_for_the_binary_and_each_subcommand() {
    let dir = std::env::temp_dir().join(format!("mockcloud-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let listed = stdout(&["man", "--out", dir.to_str().unwrap()]);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "mockcloud-bench.1",
            "mockcloud-completions.1",
            "mockcloud-man.1",
            "mockcloud-serve.1",
            "mockcloud.1"
        ]
    );
    assert_eq!(listed.lines().count(), 5);
    let page = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let main = page("mockcloud.1");
    assert_eq!(main, stdout(&["man"]), "`man` alone prints the main page");
    for sub in SUBCOMMANDS {
        assert!(
            main.contains(&format!("mockcloud\\-{sub}(1)")),
            "SUBCOMMANDS names {sub}"
        );
    }
    for f in &files {
        let text = page(f);
        assert!(text.contains(".SH \"EXIT STATUS\""), "{f}");
        assert!(text.contains("\"mockcloud manual\""), "{f}");
    }
    let serve = page("mockcloud-serve.1");
    for code in 0..=7 {
        assert!(
            serve.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "serve exit {code}"
        );
    }
    assert!(serve.contains("unusable \\-\\-state\\-file"), "{serve}");
    assert!(serve.contains("\\-\\-state\\-file"));
    // Rendered by man(1) where it is installed.
    if let Ok(out) = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(dir.join("mockcloud-serve.1"))
        .env("MANWIDTH", "100")
        .output()
    {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("EXIT STATUS"), "{text}");
            assert!(text.contains("--state-file"), "{text}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
