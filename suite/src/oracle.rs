//! The oracle: expectations as ordered rules, read from `fixtures/expectations/*.toml`.
//!
//! A profile file `extends` a base file. Rules live in *stages* (declared by the base, in the
//! order upstream's handler checks things); the first matching rule of the first stage that
//! has one decides. Within a stage the profile's own rules come before the base's, so a profile
//! states only where it differs.
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::case::Case;
use crate::error::SuiteError;
use crate::expectation::{EndState, Expectation, HeaderCheck};
use crate::microversion::{HeaderStyle, MvRange, VersionBounds};
use crate::variant::{ForceVariant, HostVariant, Precondition, Role};

/// The bundled oracle files, by file name.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "common.toml",
        include_str!("../../fixtures/expectations/common.toml"),
    ),
    (
        "nova.toml",
        include_str!("../../fixtures/expectations/nova.toml"),
    ),
    (
        "pike-spec.toml",
        include_str!("../../fixtures/expectations/pike-spec.toml"),
    ),
];

/// A behaviour profile: which oracle judges the target.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    Nova,
    PikeSpec,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Nova, Profile::PikeSpec];
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Nova => "nova",
            Self::PikeSpec => "pike-spec",
        }
    }
    fn file(&self) -> &'static str {
        match self {
            Self::Nova => "nova.toml",
            Self::PikeSpec => "pike-spec.toml",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct When {
    version: Option<Vec<String>>,
    mv: Option<String>,
    header: Option<Vec<HeaderStyle>>,
    body: Option<Vec<String>>,
    host: Option<Vec<HostVariant>>,
    force: Option<Vec<ForceVariant>>,
    precondition: Option<Vec<Precondition>>,
    role: Option<Vec<Role>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    stage: String,
    #[serde(default)]
    when: When,
    status: u16,
    fault: Option<String>,
    message: Option<String>,
    end: Option<EndState>,
    headers: Option<Vec<HeaderCheck>>,
    /// Free text for people: where the rule comes from.
    #[allow(dead_code)]
    source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    profile: Option<String>,
    extends: Option<String>,
    stages: Option<Vec<String>>,
    #[serde(default)]
    defaults: Defaults,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Defaults {
    headers: Option<Vec<HeaderCheck>>,
}

#[derive(Debug)]
struct Rule {
    origin: String,
    id: String,
    when: When,
    mv: Option<MvRange>,
    status: u16,
    fault: Option<String>,
    message: Option<String>,
    end: EndState,
    headers: Vec<HeaderCheck>,
}

/// Values the message patterns refer to: `%(server_id)s`, `%(host)s`, `%(version)s`,
/// `%(min)s`, `%(max)s`.
#[derive(Debug, Clone, Default)]
pub struct MessageContext {
    pub server_id: String,
    pub host: Option<String>,
    pub version_sent: Option<String>,
}

/// A loaded oracle for one profile.
#[derive(Debug)]
pub struct Oracle {
    profile: Profile,
    /// Stage name -> rules in evaluation order (profile's first, then base's).
    stages: Vec<(String, Vec<Rule>)>,
}

impl Oracle {
    /// The bundled oracle of `profile`.
    pub fn bundled(profile: Profile) -> Result<Self, SuiteError> {
        let files: BTreeMap<&str, &str> = BUNDLED.iter().copied().collect();
        Self::from_files(profile, &|name| files.get(name).map(|s| s.to_string()))
    }

    /// Loads `profile` with file contents from `read` (by file name).
    pub fn from_files(
        profile: Profile,
        read: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SuiteError> {
        let load = |name: &str| -> Result<RawFile, SuiteError> {
            let text = read(name)
                .ok_or_else(|| SuiteError::Fixture(format!("expectations/{name}: missing")))?;
            toml::from_str(&text)
                .map_err(|e| SuiteError::Fixture(format!("expectations/{name}: {e}")))
        };
        let top = load(profile.file())?;
        if top.profile.as_deref() != Some(profile.as_str()) {
            return Err(SuiteError::Fixture(format!(
                "expectations/{}: profile = {:?}, expected {:?}",
                profile.file(),
                top.profile,
                profile.as_str()
            )));
        }
        let mut chain = vec![(profile.file().to_string(), top)];
        while let Some(base) = chain.last().and_then(|(_, f)| f.extends.clone()) {
            if chain.iter().any(|(n, _)| *n == base) || chain.len() > 8 {
                return Err(SuiteError::Fixture(format!(
                    "expectations: circular extends at {base}"
                )));
            }
            let f = load(&base)?;
            chain.push((base, f));
        }
        let stage_names = chain
            .iter()
            .rev()
            .find_map(|(_, f)| f.stages.clone())
            .ok_or_else(|| SuiteError::Fixture("expectations: no file declares `stages`".into()))?;
        let mut stages: Vec<(String, Vec<Rule>)> = stage_names
            .iter()
            .map(|s| (s.clone(), Vec::new()))
            .collect();
        for (name, file) in chain {
            let defaults = file.defaults.headers.clone();
            for raw in file.rules {
                let slot = stages
                    .iter_mut()
                    .find(|(s, _)| *s == raw.stage)
                    .ok_or_else(|| {
                        SuiteError::Fixture(format!(
                            "expectations/{name}: rule {}: unknown stage {:?}",
                            raw.id, raw.stage
                        ))
                    })?;
                let mv = raw
                    .when
                    .mv
                    .as_deref()
                    .map(str::parse::<MvRange>)
                    .transpose()
                    .map_err(|e| {
                        SuiteError::Fixture(format!("expectations/{name}: rule {}: {e}", raw.id))
                    })?;
                if let Some(m) = &raw.message {
                    // Validate the pattern now with dummy values, so a typo fails at load.
                    crate::message::validate(m).map_err(|e| {
                        SuiteError::Fixture(format!("expectations/{name}: rule {}: {e}", raw.id))
                    })?;
                }
                let end = match raw.end {
                    Some(e) => e,
                    None if (200..300).contains(&raw.status) => {
                        return Err(SuiteError::Fixture(format!(
                            "expectations/{name}: rule {}: a 2xx rule needs `end`",
                            raw.id
                        )))
                    }
                    None => EndState::Unchanged,
                };
                slot.1.push(Rule {
                    origin: name.clone(),
                    id: raw.id,
                    when: raw.when,
                    mv,
                    status: raw.status,
                    fault: raw.fault,
                    message: raw.message,
                    end,
                    headers: raw.headers.or_else(|| defaults.clone()).unwrap_or_default(),
                });
            }
        }
        Ok(Self { profile, stages })
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The expectation for `case` on a target with `bounds`; `None` if no rule matches (the
    /// oracle is incomplete: a test checks that never happens for the matrix).
    pub fn expect(
        &self,
        case: &Case,
        bounds: &VersionBounds,
        ctx: &MessageContext,
    ) -> Option<Expectation> {
        let rule = self.rule_for(case, bounds)?;
        Some(Expectation {
            rule: format!("{}:{}", rule.origin.trim_end_matches(".toml"), rule.id),
            status: rule.status,
            fault: rule.fault.clone(),
            message: rule
                .message
                .as_ref()
                .map(|m| substitute(m, ctx, Some(bounds))),
            message_pattern: rule.message.clone(),
            message_values: vec![
                ("server_id", ctx.server_id.clone()),
                ("host", ctx.host.clone().unwrap_or_default()),
                ("version", ctx.version_sent.clone().unwrap_or_default()),
                ("min", bounds.min.to_string()),
                ("max", bounds.max.to_string()),
            ],
            end: rule.end,
            headers: rule.headers.clone(),
        })
    }

    fn rule_for(&self, case: &Case, bounds: &VersionBounds) -> Option<&Rule> {
        self.stages
            .iter()
            .flat_map(|(_, rules)| rules.iter())
            .find(|r| matches(r, case, bounds))
    }
}

fn matches(rule: &Rule, case: &Case, bounds: &VersionBounds) -> bool {
    let w = &rule.when;
    fn inside<T: PartialEq>(list: &Option<Vec<T>>, v: Option<T>) -> bool {
        match (list, v) {
            (None, _) => true,
            (Some(l), Some(v)) => l.contains(&v),
            (Some(_), None) => false,
        }
    }
    if let Some(kinds) = &w.version {
        if !kinds.iter().any(|k| k == case.version.kind()) {
            return false;
        }
    }
    if let Some(range) = &rule.mv {
        match case.version.effective(bounds) {
            Some(v) if range.contains(v) => {}
            _ => return false,
        }
    }
    if let Some(shapes) = &w.body {
        if !shapes.iter().any(|s| s == case.body.shape()) {
            return false;
        }
    }
    inside(&w.header, Some(case.header))
        && inside(&w.host, case.body.host())
        && inside(&w.force, case.body.force())
        && inside(&w.precondition, Some(case.precondition))
        && inside(&w.role, Some(case.role))
}

/// Replaces `%(name)s` placeholders with regex-escaped values.
fn substitute(pattern: &str, ctx: &MessageContext, bounds: Option<&VersionBounds>) -> String {
    let esc = |s: &str| regex::escape(s);
    let mut out = pattern.replace("%(server_id)s", &esc(&ctx.server_id));
    out = out.replace("%(host)s", &esc(ctx.host.as_deref().unwrap_or("")));
    out = out.replace(
        "%(version)s",
        &esc(ctx.version_sent.as_deref().unwrap_or("")),
    );
    if let Some(b) = bounds {
        out = out.replace("%(min)s", &esc(&b.min.to_string()));
        out = out.replace("%(max)s", &esc(&b.max.to_string()));
    } else {
        out = out.replace("%(min)s", "").replace("%(max)s", "");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::microversion::{Microversion, VersionSelector};
    use crate::variant::BodyShape;

    fn bounds() -> VersionBounds {
        VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 104),
        }
    }

    fn case(mv: u32, host: HostVariant, force: ForceVariant) -> Case {
        Case {
            version: VersionSelector::Exact(Microversion::new(2, mv)),
            header: HeaderStyle::Modern,
            body: BodyShape::Migrate { host, force },
            precondition: Precondition::Active,
            role: Role::Admin,
        }
    }

    #[test]
    fn profiles_differ_exactly_on_force() {
        let nova = Oracle::bundled(Profile::Nova).unwrap();
        let pike = Oracle::bundled(Profile::PikeSpec).unwrap();
        let ctx = MessageContext {
            server_id: "s".into(),
            host: Some("h".into()),
            version_sent: None,
        };
        let c = case(2, HostVariant::Null, ForceVariant::True);
        assert_eq!(nova.expect(&c, &bounds(), &ctx).unwrap().status, 202);
        assert_eq!(pike.expect(&c, &bounds(), &ctx).unwrap().status, 202);
        let c = case(56, HostVariant::Null, ForceVariant::True);
        let n = nova.expect(&c, &bounds(), &ctx).unwrap();
        assert_eq!((n.status, n.fault.as_deref()), (400, Some("badRequest")));
        assert!(n.message.unwrap().contains("'force' was unexpected"));
        let p = pike.expect(&c, &bounds(), &ctx).unwrap();
        assert_eq!(p.status, 400);
        assert!(p.message.unwrap().contains("non-provided destination"));
        let c = case(60, HostVariant::Other, ForceVariant::True);
        assert_eq!(nova.expect(&c, &bounds(), &ctx).unwrap().status, 400);
        let p = pike.expect(&c, &bounds(), &ctx).unwrap();
        assert_eq!((p.status, p.end), (202, EndState::VerifyResizeOnRequested));
    }

    #[test]
    fn messages_substitute_escaped_values() {
        let nova = Oracle::bundled(Profile::Nova).unwrap();
        let ctx = MessageContext {
            server_id: "s".into(),
            host: Some("a.b".into()),
            version_sent: None,
        };
        let e = nova
            .expect(
                &case(56, HostVariant::Unknown, ForceVariant::Absent),
                &bounds(),
                &ctx,
            )
            .unwrap();
        let re = regex::Regex::new(&e.message.unwrap()).unwrap();
        assert!(re.is_match("Compute host a.b could not be found."));
        assert!(!re.is_match("Compute host aXb could not be found."));
    }

    #[test]
    fn bad_files_are_rejected() {
        let read = |name: &str| -> Option<String> {
            match name {
                "nova.toml" => Some("profile = \"nova\"\nextends = \"nova.toml\"\n".into()),
                _ => None,
            }
        };
        assert!(Oracle::from_files(Profile::Nova, &read).is_err());
        let read = |name: &str| -> Option<String> {
            match name {
                "nova.toml" => Some(
                    "profile = \"nova\"\nstages = [\"a\"]\n[[rule]]\nid = \"x\"\nstage = \"a\"\nstatus = 202\n".into(),
                ),
                _ => None,
            }
        };
        let err = Oracle::from_files(Profile::Nova, &read)
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs `end`"), "{err}");
    }
}

#[cfg(test)]
mod coverage {
    use super::*;
    use crate::matrix::{build, MatrixKind};
    use crate::microversion::Microversion;

    #[test]
    fn every_case_of_the_exhaustive_matrix_has_an_expectation() {
        let bounds = VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 104),
        };
        for profile in Profile::ALL {
            let oracle = Oracle::bundled(profile).unwrap();
            for case in build(MatrixKind::Exhaustive, &bounds) {
                let e = oracle.expect(&case, &bounds, &MessageContext::default());
                assert!(e.is_some(), "{profile}: no rule for {}", case.name());
            }
        }
    }
}
