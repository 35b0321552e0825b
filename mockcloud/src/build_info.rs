//! What `--version` says of both binaries: the package version and the commit the tree was
//! built from (`build.rs`: git, or `NOVA_CONFORM_COMMIT`, or `unknown commit`).

use std::sync::LazyLock;

/// `<short hash> <commit date>` (`8a1e1a1 2026-12-01`), `NOVA_CONFORM_COMMIT` as given at build
/// time, or `unknown commit` when built outside the repository.
pub const COMMIT: &str = env!("MOCKCLOUD_BUILD_COMMIT");

/// The package version of the mock (the workspace's version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `VERSION (COMMIT)`, e.g. `0.1.0 (8a1e1a1 2026-12-01)`: clap's `version` for a binary whose
/// package version is `version`.
pub fn long_version(version: &str) -> String {
    format!("{version} ({COMMIT})")
}

/// The mock's own `--version` text (`0.1.0 (8a1e1a1 2026-12-01)`), built once.
pub static MOCKCLOUD_LONG_VERSION: LazyLock<String> = LazyLock::new(|| long_version(VERSION));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_version_wraps_the_commit() {
        assert_eq!(long_version("9.9.9"), format!("9.9.9 ({COMMIT})"));
        assert!(!COMMIT.is_empty());
    }
}
