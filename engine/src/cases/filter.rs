//! `--filter EXPR` and `--microversions RANGE`: selecting cases.
//!
//! EXPR is whitespace-separated terms, all of which must match. A term is `key=v1,v2` (any of
//! the values) or `!key=v` (none of them), or a bare word matched as a substring of the case's
//! id or name. Keys: `id`, `mv` (a version, a range like `2.50-2.60`, or a selector keyword
//! `absent|latest|malformed|out-of-range`), `header`, `body`, `host`, `force`, `pre`, `role`,
//! `action` (`cold|live`), `block` and `disk` (live migration's `block_migration` and
//! `disk_over_commit`).
//!
//! Every value is checked when the filter is parsed: one that no case can have (a misspelled
//! keyword, a malformed id, a reversed range) would silently select nothing, so it is a usage
//! error naming the key's values instead.
use crate::case::Case;
use crate::error::SuiteError;
use crate::microversion::{MvRange, VersionSelector};
use crate::variant::{
    Action, BlockMigration, DiskOverCommit, ForceVariant, HostVariant, OtherBody, Precondition,
    Role,
};

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

impl Key {
    /// The key a term names (`mv` is also `version`, `pre` also `precondition`, `block` and
    /// `disk` also the members' own names).
    fn named(k: &str) -> Option<Self> {
        Some(match k {
            "id" => Self::Id,
            "mv" | "version" => Self::Mv,
            "header" => Self::Header,
            "body" => Self::Body,
            "host" => Self::Host,
            "force" => Self::Force,
            "pre" | "precondition" => Self::Pre,
            "role" => Self::Role,
            "action" => Self::Action,
            "block" | "block_migration" => Self::Block,
            "disk" | "disk_over_commit" => Self::Disk,
            _ => return None,
        })
    }
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
    /// use nova_conform::Case;
    /// use nova_conform::Filter;
    /// use nova_conform::{HeaderStyle, Microversion, VersionSelector};
    /// use nova_conform::{BodyShape, ForceVariant, HostVariant, Precondition, Role};
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
                    let key = Key::named(k).ok_or_else(|| {
                        SuiteError::Usage(format!(
                            "filter: unknown key {k:?} (id, mv, header, body, host, force, pre, role, action, block, disk)"
                        ))
                    })?;
                    let values: Vec<String> = v
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect();
                    if values.is_empty() {
                        return Err(SuiteError::Usage(format!("filter: {raw:?} has no value")));
                    }
                    for v in &values {
                        check_value(key, k, v)?;
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
                range(r).map_err(|why| {
                    SuiteError::Usage(format!(
                        "--microversions: bad range {r:?}: {why} (e.g. 2.56, 2.50-2.60, 2.50-)"
                    ))
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

/// The version selector keywords `mv` takes besides versions and ranges.
const SELECTOR_KINDS: [&str; 4] = ["absent", "latest", "malformed", "out-of-range"];

/// The values a key with a closed set of values takes (`None`: `id` and `mv`, checked by
/// form).
fn known_values(key: Key) -> Option<Vec<&'static str>> {
    fn all<T: Copy>(values: &[T], name: fn(&T) -> &'static str) -> Vec<&'static str> {
        values.iter().map(name).collect()
    }
    Some(match key {
        Key::Id | Key::Mv => return None,
        Key::Header => vec!["modern", "legacy"],
        Key::Body => ["migrate-object", "live-object"]
            .into_iter()
            .chain(OtherBody::ALL.iter().map(OtherBody::as_str))
            .collect(),
        Key::Host => all(HostVariant::ALL, HostVariant::as_str),
        Key::Force => all(ForceVariant::ALL, ForceVariant::as_str),
        Key::Pre => all(Precondition::ALL, Precondition::as_str),
        Key::Role => all(Role::ALL, Role::as_str),
        Key::Action => all(Action::ALL, Action::as_str),
        Key::Block => all(BlockMigration::ALL, BlockMigration::as_str),
        Key::Disk => all(DiskOverCommit::ALL, DiskOverCommit::as_str),
    })
}

/// A microversion range as `mv` and `--microversions` take it: versions of the Compute API
/// (2.x), lower end not above the upper one. `Err` says what is wrong.
fn range(v: &str) -> Result<MvRange, String> {
    let r: MvRange = v
        .parse()
        .map_err(|_| "not a version or range".to_string())?;
    for end in [r.from, r.to].into_iter().flatten() {
        if end.major != 2 {
            return Err(format!("{end} is not a compute microversion (2.x)"));
        }
    }
    if let (Some(a), Some(b)) = (r.from, r.to) {
        if a > b {
            return Err(format!("{a} is above {b}"));
        }
    }
    Ok(r)
}

/// Refuses a value of `key` (written `name` on the command line) that no case has.
fn check_value(key: Key, name: &str, v: &str) -> Result<(), SuiteError> {
    match key {
        Key::Id => {
            let ok = v.strip_prefix("nc-").is_some_and(|h| {
                h.len() == 12 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            });
            if !ok {
                return Err(SuiteError::Usage(format!(
                    "filter: bad case id {v:?} (nc- and 12 hex digits, as `nova-conform list` prints)"
                )));
            }
        }
        Key::Mv if is_selector_kind(v) => {}
        Key::Mv => {
            range(v).map_err(|why| {
                SuiteError::Usage(format!(
                    "filter: bad microversion {v:?}: {why} (a version 2.56, a range 2.50-2.60, \
                     2.50- or -2.60, or one of: {})",
                    SELECTOR_KINDS.join(", ")
                ))
            })?;
        }
        _ => {
            let known = known_values(key).unwrap_or_default();
            if !known.contains(&v) {
                return Err(SuiteError::Usage(format!(
                    "filter: unknown {name} value {v:?} (one of: {})",
                    known.join(", ")
                )));
            }
        }
    }
    Ok(())
}

fn is_selector_kind(v: &str) -> bool {
    SELECTOR_KINDS.contains(&v)
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

    fn refusal(expr: &str) -> String {
        match Filter::parse(Some(expr), None) {
            Err(SuiteError::Usage(m)) => m,
            other => panic!("{expr:?}: {other:?}"),
        }
    }

    #[test]
    fn rejects_bad_input() {
        assert!(Filter::parse(Some("colour=red"), None).is_err());
        assert!(Filter::parse(Some("mv=banana"), None).is_err());
        assert!(Filter::parse(Some("host="), None).is_err());
        assert!(Filter::parse(None, Some("2.x-3")).is_err());
    }

    #[test]
    fn every_value_no_case_has_is_refused_with_the_valid_ones() {
        let table = [
            ("pre=nowhere", "filter: unknown pre value \"nowhere\" (one of: active, shutoff, verify-resize, paused, suspended, locked, nonexistent)"),
            ("precondition=ACTIVE", "filter: unknown precondition value \"ACTIVE\" (one of: active, shutoff, verify-resize, paused, suspended, locked, nonexistent)"),
            ("role=admin,root", "filter: unknown role value \"root\" (one of: admin, manager, member, other)"),
            ("!role=owner", "filter: unknown role value \"owner\" (one of: admin, manager, member, other)"),
            ("header=new", "filter: unknown header value \"new\" (one of: modern, legacy)"),
            ("body=migrate", "filter: unknown body value \"migrate\" (one of: migrate-object, live-object, migrate-null, migrate-string, extra-property, missing-action)"),
            ("host=another", "filter: unknown host value \"another\" (one of: absent, null, other, own, unknown, invalid-chars, empty, too-long, non-string, disabled, no-capacity)"),
            ("force=yes", "filter: unknown force value \"yes\" (one of: absent, null, true, false, non-boolean, string-true, string-false)"),
            ("id=nc-12", "filter: bad case id \"nc-12\" (nc- and 12 hex digits, as `nova-conform list` prints)"),
            ("id=nc-0123456789AB", "filter: bad case id \"nc-0123456789AB\" (nc- and 12 hex digits, as `nova-conform list` prints)"),
            ("mv=banana", "filter: bad microversion \"banana\": not a version or range (a version 2.56, a range 2.50-2.60, 2.50- or -2.60, or one of: absent, latest, malformed, out-of-range)"),
            ("version=3.1", "filter: bad microversion \"3.1\": 3.1 is not a compute microversion (2.x) (a version 2.56, a range 2.50-2.60, 2.50- or -2.60, or one of: absent, latest, malformed, out-of-range)"),
            ("mv=2.60-2.50", "filter: bad microversion \"2.60-2.50\": 2.60 is above 2.50 (a version 2.56, a range 2.50-2.60, 2.50- or -2.60, or one of: absent, latest, malformed, out-of-range)"),
            ("mv=Latest", "filter: bad microversion \"Latest\": not a version or range (a version 2.56, a range 2.50-2.60, 2.50- or -2.60, or one of: absent, latest, malformed, out-of-range)"),
            ("colour=red", "filter: unknown key \"colour\" (id, mv, header, body, host, force, pre, role, action, block, disk)"),
            ("action=warm", "filter: unknown action value \"warm\" (one of: cold, live)"),
            ("block=maybe", "filter: unknown block value \"maybe\" (one of: absent, true, false, auto, invalid)"),
            ("disk_over_commit=auto", "filter: unknown disk_over_commit value \"auto\" (one of: absent, true, false)"),
            ("host=", "filter: \"host=\" has no value"),
            ("!other", "filter: \"!other\": negate a key=value term"),
        ];
        for (expr, message) in table {
            assert_eq!(refusal(expr), message, "{expr}");
        }
        let bad_range = |r: &str| match Filter::parse(None, Some(r)) {
            Err(SuiteError::Usage(m)) => m,
            other => panic!("{r:?}: {other:?}"),
        };
        assert_eq!(
            bad_range("2.60-2.50"),
            "--microversions: bad range \"2.60-2.50\": 2.60 is above 2.50 (e.g. 2.56, 2.50-2.60, 2.50-)"
        );
        assert_eq!(
            bad_range("2.x-3"),
            "--microversions: bad range \"2.x-3\": not a version or range (e.g. 2.56, 2.50-2.60, 2.50-)"
        );
    }

    /// The filter keys table of docs/cli-reference.md: (key, values column) of each row.
    fn documented() -> Vec<(String, String)> {
        let doc = include_str!("../../../docs/cli-reference.md");
        let table = doc
            .split("#### Filter keys")
            .nth(1)
            .expect("docs/cli-reference.md has a Filter keys section");
        table
            .lines()
            .skip_while(|l| !l.starts_with("| key"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cols: Vec<&str> = l.trim_matches('|').split(" | ").collect();
                (cols[0].trim().to_string(), cols[1].trim().to_string())
            })
            .collect()
    }

    /// The `backticked` words of a docs cell.
    fn quoted(cell: &str) -> Vec<&str> {
        cell.split('`').skip(1).step_by(2).collect()
    }

    #[test]
    fn every_documented_value_is_accepted_and_every_key_documented() {
        let rows = documented();
        let keys: Vec<&str> = rows.iter().map(|(k, _)| quoted(k)[0]).collect();
        assert_eq!(
            keys,
            [
                "id", "mv", "header", "body", "host", "force", "pre", "role", "action", "block",
                "disk"
            ]
        );
        for (key, values) in &rows {
            let names = quoted(key);
            let values = quoted(values);
            assert!(!values.is_empty(), "{key}");
            for name in &names {
                for v in &values {
                    let expr = format!("{name}={v}");
                    assert!(Filter::parse(Some(&expr), None).is_ok(), "{expr}");
                }
            }
            // A closed key's values are all listed, and only those.
            for name in &names {
                let k = Key::named(name).expect("a documented key parses");
                if let Some(known) = known_values(k) {
                    assert_eq!(values, known, "{name}");
                }
            }
        }
        // Every value selects at least one case of the matrix it names (a value the docs
        // list but no case has would be a filter that always selects nothing).
        let all = cases();
        for (key, values) in &rows {
            let name = quoted(key)[0];
            if name == "id" {
                continue;
            }
            for v in quoted(values) {
                let f = Filter::parse(Some(&format!("{name}={v}")), None).unwrap();
                assert!(
                    all.iter().any(|c| f.matches(c)),
                    "{name}={v} selects nothing"
                );
            }
        }
    }
}
