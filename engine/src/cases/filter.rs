//! `--filter EXPR` and `--microversions RANGE`: selecting cases.
//!
//! EXPR is whitespace-separated terms, all of which must match. A term is `key=v1,v2` (any of
//! the values) or `!key=v` (none of them), or a bare word matched as a substring of the case's
//! id or name. Keys: `id`, `mv` (a version, a range like `2.50-2.60`, or a selector keyword
//! `absent|latest|malformed|out-of-range`), `header`, `body`, `host`, `force`, `pre`, `role`,
//! `action` (`cold|live`), `block` and `disk` (live migration's `block_migration` and
//! `disk_over_commit`).
use crate::case::Case;
use crate::error::SuiteError;
use crate::microversion::{MvRange, VersionSelector};

#[derive(Debug, Clone)]
enum Term {
    Field {
        key: Key,
        values: Vec<String>,
        negate: bool,
    },
    Text(String),
}

#[derive(Debug, Clone, Copy)]
enum Key {
    Id,
    Mv,
    Header,
    Body,
    Host,
    Force,
    Pre,
    Role,
    Action,
    Block,
    Disk,
}

/// A parsed filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    terms: Vec<Term>,
    versions: Option<MvRange>,
}

impl Filter {
    /// Parses `--filter` and `--microversions`.
    ///
    /// ```
    /// use nova_conform::case::Case;
    /// use nova_conform::filter::Filter;
    /// use nova_conform::microversion::{HeaderStyle, Microversion, VersionSelector};
    /// use nova_conform::variant::{BodyShape, ForceVariant, HostVariant, Precondition, Role};
    ///
    /// let f = Filter::parse(Some("pre=active role=admin"), Some("2.56-2.60"))?;
    /// let mut case = Case {
    ///     version: VersionSelector::Exact(Microversion::new(2, 56)),
    ///     header: HeaderStyle::Modern,
    ///     body: BodyShape::Migrate { host: HostVariant::Other, force: ForceVariant::Absent },
    ///     precondition: Precondition::Active,
    ///     role: Role::Admin,
    /// };
    /// assert!(f.matches(&case));
    /// case.role = Role::Member;
    /// assert!(!f.matches(&case));
    /// assert!(Filter::parse(Some("colour=red"), None).is_err());
    /// # Ok::<(), nova_conform::SuiteError>(())
    /// ```
    pub fn parse(expr: Option<&str>, microversions: Option<&str>) -> Result<Self, SuiteError> {
        let mut terms = Vec::new();
        for raw in expr.unwrap_or("").split_whitespace() {
            let (negate, t) = match raw.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, raw),
            };
            match t.split_once('=') {
                Some((k, v)) => {
                    let key = match k {
                        "id" => Key::Id,
                        "mv" | "version" => Key::Mv,
                        "header" => Key::Header,
                        "body" => Key::Body,
                        "host" => Key::Host,
                        "force" => Key::Force,
                        "pre" | "precondition" => Key::Pre,
                        "role" => Key::Role,
                        "action" => Key::Action,
                        "block" | "block_migration" => Key::Block,
                        "disk" | "disk_over_commit" => Key::Disk,
                        other => {
                            return Err(SuiteError::Usage(format!(
                                "filter: unknown key {other:?} (id, mv, header, body, host, force, pre, role, action, block, disk)"
                            )))
                        }
                    };
                    let values: Vec<String> = v
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect();
                    if values.is_empty() {
                        return Err(SuiteError::Usage(format!("filter: {raw:?} has no value")));
                    }
                    if let Key::Action = key {
                        if let Some(v) = values
                            .iter()
                            .find(|v| !matches!(v.as_str(), "cold" | "live"))
                        {
                            return Err(SuiteError::Usage(format!(
                                "filter: unknown action {v:?} (cold, live)"
                            )));
                        }
                    }
                    if let Key::Mv = key {
                        for v in &values {
                            if !is_selector_kind(v) {
                                v.parse::<MvRange>().map_err(|_| {
                                    SuiteError::Usage(format!("filter: bad microversion {v:?}"))
                                })?;
                            }
                        }
                    }
                    terms.push(Term::Field {
                        key,
                        values,
                        negate,
                    });
                }
                None if negate => {
                    return Err(SuiteError::Usage(format!(
                        "filter: {raw:?}: negate a key=value term"
                    )))
                }
                None => terms.push(Term::Text(t.to_string())),
            }
        }
        let versions = microversions
            .map(|r| {
                r.parse::<MvRange>().map_err(|_| {
                    SuiteError::Usage(format!("--microversions: bad range {r:?} (e.g. 2.50-2.60)"))
                })
            })
            .transpose()?;
        Ok(Self { terms, versions })
    }

    /// `--no-live`: leaves the live-migration cases out.
    pub fn without_live(mut self) -> Self {
        self.terms.push(Term::Field {
            key: Key::Action,
            values: vec!["live".into()],
            negate: true,
        });
        self
    }

    /// Whether `case` is selected. `--microversions` keeps exact versions inside the range
    /// (and drops the selector cases: no header, latest, malformed, out-of-range).
    pub fn matches(&self, case: &Case) -> bool {
        if let Some(r) = &self.versions {
            match case.version {
                VersionSelector::Exact(v) if r.contains(v) => {}
                _ => return false,
            }
        }
        self.terms.iter().all(|t| match t {
            Term::Text(s) => case.id().contains(s.as_str()) || case.name().contains(s.as_str()),
            Term::Field {
                key,
                values,
                negate,
            } => {
                let hit = values.iter().any(|v| field_matches(*key, v, case));
                hit != *negate
            }
        })
    }
}

fn is_selector_kind(v: &str) -> bool {
    matches!(v, "absent" | "latest" | "malformed" | "out-of-range")
}

fn field_matches(key: Key, v: &str, case: &Case) -> bool {
    match key {
        Key::Id => case.id() == v,
        Key::Mv => {
            if is_selector_kind(v) {
                return case.version.kind() == v;
            }
            match (case.version, v.parse::<MvRange>()) {
                (VersionSelector::Exact(mv), Ok(r)) => r.contains(mv),
                _ => false,
            }
        }
        Key::Header => case.header.as_str() == v,
        Key::Body => case.body.shape() == v,
        Key::Host => case.body.host().is_some_and(|h| h.as_str() == v),
        Key::Force => case.body.force().is_some_and(|f| f.as_str() == v),
        Key::Pre => case.precondition.as_str() == v,
        Key::Role => case.role.as_str() == v,
        Key::Action => case.body.action().as_str() == v,
        Key::Block => case.body.block().is_some_and(|b| b.as_str() == v),
        Key::Disk => case.body.disk().is_some_and(|d| d.as_str() == v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{build, MatrixKind};
    use crate::microversion::{Microversion, VersionBounds};

    fn cases() -> Vec<Case> {
        build(
            MatrixKind::Default,
            &VersionBounds {
                min: Microversion::new(2, 1),
                max: Microversion::new(2, 104),
            },
        )
    }

    #[test]
    fn selects_by_fields() {
        // The body is crossed with every precondition x role (docs/cases.md).
        let f = Filter::parse(Some("host=null force=true mv=2.56"), None).unwrap();
        assert_eq!(cases().iter().filter(|c| f.matches(c)).count(), 7 * 4);
        let f = Filter::parse(
            Some("host=null force=true mv=2.56 pre=active role=admin"),
            None,
        )
        .unwrap();
        let hit: Vec<_> = cases().into_iter().filter(|c| f.matches(c)).collect();
        assert_eq!(hit.len(), 1);
        assert_eq!(
            hit[0].name(),
            "2.56 host=null,force=true on active as admin"
        );
        let f = Filter::parse(Some("!role=admin"), Some("2.50-2.60")).unwrap();
        let hit: Vec<_> = cases().into_iter().filter(|c| f.matches(c)).collect();
        assert!(!hit.is_empty());
        assert!(hit.iter().all(|c| c.role != crate::variant::Role::Admin));
        let id = cases()[7].id();
        let f = Filter::parse(Some(&format!("id={id}")), None).unwrap();
        assert_eq!(cases().iter().filter(|c| f.matches(c)).count(), 1);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(Filter::parse(Some("colour=red"), None).is_err());
        assert!(Filter::parse(Some("mv=banana"), None).is_err());
        assert!(Filter::parse(Some("host="), None).is_err());
        assert!(Filter::parse(None, Some("2.x-3")).is_err());
    }
}
