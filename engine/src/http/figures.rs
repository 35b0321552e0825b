//! The deployment's figures in fault messages: the live conductor's memory check names the
//! destination's free memory and the flavor's, which are the deployment's inventory, not the
//! API's behaviour (as host names are). Reports and snapshots carry them as placeholders so
//! that two deployments' reports compare; `verify` puts well-formed figures back before it
//! matches a recorded message against the oracle's pattern, as it does for request ids.
use std::sync::LazyLock;

use regex::Regex;

/// The message with its figures written as placeholders.
const LACK_OF_MEMORY_PLACEHOLDERS: &str =
    "Lack of memory(host:<free memory> <= instance:<flavor memory>)";
/// The same with figures of the form Nova prints (a float of MB free, an int of MB wanted).
const LACK_OF_MEMORY_EXAMPLE: &str = "Lack of memory(host:0.0 <= instance:0)";

static LACK_OF_MEMORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Lack of memory\(host:[0-9.]+ <= instance:[0-9]+\)").expect("a valid regex")
});

/// `text` with the memory figures as placeholders, and the server's own host, where the
/// conductor prints it bare as "(<host>)", as `<server's host>`.
pub(crate) fn generalise(text: &str, own_host: Option<&str>) -> String {
    let mut out = text.to_string();
    if let Some(n) = own_host.filter(|n| !n.is_empty()) {
        out = out.replace(&format!("({n})"), "(<server's host>)");
    }
    LACK_OF_MEMORY
        .replace_all(&out, LACK_OF_MEMORY_PLACEHOLDERS)
        .into_owned()
}

/// A [`generalise`]d text with well-formed figures put back where the placeholders are
/// (the host placeholder stays: a message pattern's host matches any text in `verify`).
pub(crate) fn with_example_figures(text: &str) -> String {
    text.replace(LACK_OF_MEMORY_PLACEHOLDERS, LACK_OF_MEMORY_EXAMPLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &str =
        "Migration pre-check error: Unable to migrate <uuid> to c5: Lack of memory(host:256.0 <= instance:512)";

    #[test]
    fn figures_become_placeholders_and_example_figures_match_the_live_pattern() {
        let g = generalise(RAW, Some("c1"));
        assert_eq!(
            g,
            "Migration pre-check error: Unable to migrate <uuid> to c5: Lack of memory(host:<free memory> <= instance:<flavor memory>)"
        );
        let back = with_example_figures(&g);
        assert!(LACK_OF_MEMORY.is_match(&back), "{back}");
        assert_eq!(generalise(&back, None), g);
        // Nothing else is touched.
        assert_eq!(with_example_figures("No valid host"), "No valid host");
    }

    #[test]
    fn the_own_host_is_replaced_only_where_bare_in_parentheses() {
        let t = "Unable to migrate instance (<uuid>) to current host (c1). c1 stays";
        assert_eq!(
            generalise(t, Some("c1")),
            "Unable to migrate instance (<uuid>) to current host (<server's host>). c1 stays"
        );
        assert_eq!(generalise(t, Some("")), t);
        assert_eq!(generalise(t, None), t);
    }
}
