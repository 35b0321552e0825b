//! Matching fault messages against oracle patterns with `%(name)s` placeholders.
//!
//! Each pattern is compiled once (placeholders become capture groups) and cached; a message
//! matches when the regex matches and every placeholder the match went through equals its
//! expected value. A placeholder in an alternative the match did not take captures nothing and
//! is not checked: `^(A %(host)s|B %(host)s)$` is one placeholder per branch.
//! Compiling a fresh regex with the values spliced in for every case was the run's largest
//! CPU cost.
use std::collections::HashMap;
use std::sync::LazyLock;

use parking_lot::Mutex;
use regex::Regex;

/// The placeholders a pattern may use.
pub(crate) const PLACEHOLDERS: &[&str] = &["server_id", "host", "version", "min", "max"];

struct Compiled {
    re: Regex,
    /// group name -> placeholder name
    groups: Vec<(String, &'static str)>,
}

static CACHE: LazyLock<Mutex<HashMap<String, std::sync::Arc<Compiled>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn compile(pattern: &str) -> Result<Compiled, regex::Error> {
    let mut out = String::new();
    let mut groups = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("%(") {
        let after = &rest[start + 2..];
        let hit = PLACEHOLDERS
            .iter()
            .find(|p| after.starts_with(&format!("{p})s")));
        match hit {
            Some(p) => {
                out.push_str(&rest[..start]);
                let g = format!("p{}", groups.len());
                out.push_str(&format!("(?P<{g}>.*?)"));
                groups.push((g, *p));
                rest = &after[p.len() + 2..];
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(Compiled {
        re: Regex::new(&out)?,
        groups,
    })
}

/// Checks that `pattern` is a valid regex once its placeholders are replaced.
pub(crate) fn validate(pattern: &str) -> Result<(), regex::Error> {
    compile(pattern).map(|_| ())
}

/// Whether `message` matches `pattern` with `values` (placeholder -> expected text).
pub(crate) fn matches(pattern: &str, values: &[(&str, &str)], message: &str) -> bool {
    let compiled = {
        let mut cache = CACHE.lock();
        match cache.get(pattern) {
            Some(c) => c.clone(),
            None => match compile(pattern) {
                Ok(c) => {
                    let c = std::sync::Arc::new(c);
                    cache.insert(pattern.to_string(), c.clone());
                    c
                }
                Err(_) => return false,
            },
        }
    };
    let Some(caps) = compiled.re.captures(message) else {
        return false;
    };
    compiled.groups.iter().all(|(g, p)| {
        let want = values.iter().find(|(k, _)| k == p).map_or("", |(_, v)| v);
        caps.name(g).is_none_or(|m| m.as_str() == want)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two answers for one case (live.toml's forced move to a full host: the memory check's
    /// message or the placement claim's), each naming the server: either branch matches, and
    /// in each the server must be the case's.
    #[test]
    fn placeholders_of_the_branch_not_taken_are_not_checked() {
        let p = r"^(Lack of memory on %(host)s for %(server_id)s|No valid host: %(server_id)s to %(host)s)$";
        let v = [("host", "c-full"), ("server_id", "u1")];
        assert!(matches(p, &v, "Lack of memory on c-full for u1"));
        assert!(matches(p, &v, "No valid host: u1 to c-full"));
        assert!(!matches(p, &v, "No valid host: u2 to c-full"));
        assert!(!matches(p, &v, "Lack of memory on c-other for u1"));
        assert!(!matches(p, &v, "No valid host: u1 to c-full."));
    }

    #[test]
    fn placeholders_must_equal_their_values() {
        let p = r"^Compute host %(host)s could not be found\.$";
        assert!(matches(
            p,
            &[("host", "a.b")],
            "Compute host a.b could not be found."
        ));
        assert!(!matches(
            p,
            &[("host", "a.b")],
            "Compute host aXb could not be found."
        ));
        assert!(!matches(
            p,
            &[("host", "a.b")],
            "Compute host a.b could not be found"
        ));
        let p =
            r"^Version %(version)s is not supported\. Minimum is %(min)s and maximum is %(max)s\.$";
        let v = [("version", "2.105"), ("min", "2.1"), ("max", "2.104")];
        assert!(matches(
            p,
            &v,
            "Version 2.105 is not supported. Minimum is 2.1 and maximum is 2.104."
        ));
        assert!(!matches(
            p,
            &v,
            "Version 2.105 is not supported. Minimum is 2.1 and maximum is 2.105."
        ));
        assert!(validate("^(unclosed").is_err());
    }
}
