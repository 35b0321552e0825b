//! The oracle: expectations as ordered rules, read from `fixtures/expectations/*.toml`.
//!
//! A profile file `extends` a base file. Rules live in *stages* (declared by the base, in the
//! order upstream's handler checks things); the first matching rule of the first stage that
//! has one decides. Within a stage the profile's own rules come before the base's, so a profile
//! states only where it differs.
//!
//! An oracle judges for one Nova series ([`Oracle::for_series`]): a rule may be limited to a
//! range of series (`releases = "2023.2-"`) or to the series whose release-table facts hold
//! (`policy_migrate = ["admin"]`, ...); both are resolved when the oracle is built, so judging a
//! case costs the same for every series. Facts stay in `fixtures/releases.toml` (one source):
//! the rules name the fact, not the series that have it.
use std::collections::BTreeMap;

use nova_releases::{
    NoValidHost, PolicyRule, RamAllocationRatio, ReleaseTable, Series, SeriesRange,
};
use serde::Deserialize;

use crate::case::Case;
use crate::error::SuiteError;
use crate::expectation::{EndState, Expectation, HeaderCheck};
use crate::microversion::{HeaderStyle, MvRange, VersionBounds};
use crate::variant::{
    BlockMigration, DiskOverCommit, ForceVariant, HostVariant, OtherBody, Precondition, Role,
};

/// The bundled oracle files, by file name.
pub(crate) const BUNDLED: &[(&str, &str)] = &[
    (
        "common.toml",
        include_str!("../../../fixtures/expectations/common.toml"),
    ),
    (
        "nova.toml",
        include_str!("../../../fixtures/expectations/nova.toml"),
    ),
    (
        "pike-spec.toml",
        include_str!("../../../fixtures/expectations/pike-spec.toml"),
    ),
    (
        LIVE_FILE,
        include_str!("../../../fixtures/expectations/live.toml"),
    ),
];

/// The live-migration rules (`os-migrateLive`), shared by both profiles: the Pike spec changes
/// cold migration only. They judge the live cases (body `live-object`) and only those; the
/// cold files judge the others.
pub(crate) const LIVE_FILE: &str = "live.toml";

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
    /// Live migration's `block_migration` / `disk_over_commit` (live cases only).
    block: Option<Vec<BlockMigration>>,
    disk: Option<Vec<DiskOverCommit>>,
    precondition: Option<Vec<Precondition>>,
    role: Option<Vec<Role>>,
    /// A range of series (`2023.2-`, `-2025.1`, `queens-train`, `2025.1`).
    releases: Option<String>,
    /// Release-table facts of the series (`fixtures/releases.toml` `policy` / `behaviour`).
    policy_migrate: Option<Vec<PolicyRule>>,
    policy_migrate_host: Option<Vec<PolicyRule>>,
    policy_before_lookup: Option<bool>,
    no_valid_host: Option<Vec<NoValidHost>>,
    policy_migrate_live: Option<Vec<PolicyRule>>,
    policy_migrate_live_host: Option<Vec<PolicyRule>>,
    placement_prefilters: Option<bool>,
    ram_allocation_ratio: Option<Vec<RamAllocationRatio>>,
}

impl When {
    /// Whether the series conditions hold for `series` (`range` is `releases`, resolved).
    fn holds_for(&self, range: Option<(usize, usize)>, series: &Series) -> bool {
        fn among<T: PartialEq>(list: &Option<Vec<T>>, v: T) -> bool {
            list.as_ref().is_none_or(|l| l.contains(&v))
        }
        range.is_none_or(|(a, b)| (a..=b).contains(&series.index()))
            && among(&self.policy_migrate, series.policy.migrate)
            && among(&self.policy_migrate_host, series.policy.migrate_host)
            && self
                .policy_before_lookup
                .is_none_or(|b| b == series.policy.before_lookup)
            && among(&self.no_valid_host, series.behaviour.no_valid_host)
            && among(&self.policy_migrate_live, series.policy.migrate_live)
            && among(
                &self.policy_migrate_live_host,
                series.policy.migrate_live_host,
            )
            && self
                .placement_prefilters
                .is_none_or(|b| b == series.behaviour.placement_prefilters)
            && among(
                &self.ram_allocation_ratio,
                series.behaviour.ram_allocation_ratio,
            )
    }
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
    /// The refusal comes only after the API has set the server's task_state and waited for
    /// the conductor (Queens..Train's synchronous NoValidHost): meanwhile any other request
    /// on that server meets the transient task_state (409, or a 500
    /// UnexpectedTaskStateError), so a plan gives such a case its server to itself.
    #[serde(default)]
    exclusive: bool,
    /// Free text for people: where the rule comes from.
    #[allow(dead_code)]
    source: Option<String>,
}

/// What the loader refuses in a rule beyond what serde checks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// A `when.version` value that is not a selector kind.
    #[error("unknown version {value:?} (one of {known})")]
    UnknownVersion { value: String, known: String },
    /// A `when.body` value that is not a body shape.
    #[error("unknown body {value:?} (one of {known})")]
    UnknownBody { value: String, known: String },
    #[error("a {status} rule needs `fault`")]
    NoFault { status: u16 },
    #[error("`message` must be anchored at both ends (^...$): {message:?}")]
    Unanchored { message: String },
    #[error("a {status} rule needs `message`")]
    NoMessage { status: u16 },
}

/// The `when.version` keywords (`VersionSelector::kind`).
const VERSION_KINDS: &[&str] = &["absent", "exact", "latest", "malformed", "out-of-range"];

impl RawRule {
    /// What serde cannot check: a misspelled `version` or `body` value would match no case and
    /// the rule would silently never apply; an error rule without a fault or without a message
    /// anchored at both ends would pass a near miss (a loosened `^Cannot` passed every test).
    fn check_strict(&self) -> Result<(), RuleError> {
        for v in self.when.version.iter().flatten() {
            if !VERSION_KINDS.contains(&v.as_str()) {
                return Err(RuleError::UnknownVersion {
                    value: v.clone(),
                    known: VERSION_KINDS.join(", "),
                });
            }
        }
        let shapes: Vec<&str> = ["migrate-object", "live-object"]
            .into_iter()
            .chain(OtherBody::ALL.iter().map(|o| o.as_str()))
            .collect();
        for b in self.when.body.iter().flatten() {
            if !shapes.contains(&b.as_str()) {
                return Err(RuleError::UnknownBody {
                    value: b.clone(),
                    known: shapes.join(", "),
                });
            }
        }
        if self.status >= 400 {
            if self.fault.as_deref().is_none_or(str::is_empty) {
                return Err(RuleError::NoFault {
                    status: self.status,
                });
            }
            match self.message.as_deref() {
                Some(m) if m.starts_with('^') && m.ends_with('$') && m.len() > 2 => {}
                Some(m) => return Err(RuleError::Unanchored { message: m.into() }),
                None => {
                    return Err(RuleError::NoMessage {
                        status: self.status,
                    })
                }
            }
        }
        Ok(())
    }
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
    /// From the live-migration file: judges live cases only (the others: cold cases only).
    live: bool,
    id: String,
    when: When,
    mv: Option<MvRange>,
    status: u16,
    fault: Option<String>,
    message: Option<String>,
    end: EndState,
    headers: Vec<HeaderCheck>,
    exclusive: bool,
}

/// Values the message patterns refer to: `%(server_id)s`, `%(host)s`, `%(version)s`,
/// `%(min)s`, `%(max)s`.
#[derive(Debug, Clone, Default)]
pub struct MessageContext {
    pub server_id: String,
    pub host: Option<String>,
    pub version_sent: Option<String>,
}

/// A loaded oracle for one profile, judging for one Nova series.
#[derive(Debug)]
pub struct Oracle {
    profile: Profile,
    series: &'static Series,
    /// Stage name -> rules in evaluation order (profile's first, then base's), only those
    /// that apply to `series`.
    stages: Vec<(String, Vec<Rule>)>,
    digest: String,
}

/// A rule's data as loaded: its TOML table with keys sorted (so that reordering keys in a
/// file does not change it), the message as resolved for the series and the headers as
/// resolved from the file's defaults.
fn rule_data(
    table: &toml::Value,
    message: Option<&str>,
    headers: &[HeaderCheck],
) -> serde_json::Value {
    fn sorted(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let b: BTreeMap<String, serde_json::Value> =
                    m.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                serde_json::Value::Object(b.into_iter().collect())
            }
            serde_json::Value::Array(a) => {
                serde_json::Value::Array(a.into_iter().map(sorted).collect())
            }
            other => other,
        }
    }
    let mut v = serde_json::to_value(table).unwrap_or(serde_json::Value::Null);
    if let Some(m) = v.as_object_mut() {
        m.remove("source"); // free text for people; it never changes a verdict
        m.insert("message".into(), serde_json::json!(message));
        m.insert("headers".into(), serde_json::json!(headers));
    }
    sorted(v)
}

/// The oracle digest: SHA-256 of a text with a versioned first line, the profile, the series
/// id, then per stage (in evaluation order) a `stage <name>` line followed by one line per
/// rule kept for the series (in evaluation order): `<file> <rule data as compact JSON>`.
/// It changes when a rule, its order, its stage or a series fact it resolves changes, and not
/// when comments, `source` texts or key order in the files do.
fn digest(
    profile: Profile,
    series: &Series,
    stage_names: &[String],
    data: &[(String, String, serde_json::Value)],
) -> String {
    use sha2::{Digest, Sha256};
    let mut text = format!(
        "nova-conform.oracle/1\nprofile {}\nseries {}\n",
        profile.as_str(),
        series.id
    );
    // Rules in evaluation order: within a stage the profile's first, then its bases' (the
    // order they were loaded in).
    for stage in stage_names {
        text.push_str(&format!("stage {stage}\n"));
        for (s, origin, d) in data {
            if s == stage {
                text.push_str(&format!("{origin} {d}\n"));
            }
        }
    }
    format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

impl Oracle {
    /// The bundled oracle of `profile` for the newest series of the release table.
    pub fn bundled(profile: Profile) -> Result<Self, SuiteError> {
        Self::for_series(profile, ReleaseTable::bundled().newest())
    }

    /// The bundled oracle of `profile` for `series` (a series of the bundled table).
    pub fn for_series(profile: Profile, series: &'static Series) -> Result<Self, SuiteError> {
        let files: BTreeMap<&str, &str> = BUNDLED.iter().copied().collect();
        Self::from_files_for(profile, series, &|name| {
            files.get(name).map(|s| s.to_string())
        })
    }

    /// Loads `profile` with file contents from `read` (by file name), for the newest series.
    pub fn from_files(
        profile: Profile,
        read: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SuiteError> {
        Self::from_files_for(profile, ReleaseTable::bundled().newest(), read)
    }

    /// Loads `profile` for `series` with file contents from `read`. Every rule is validated
    /// (an unknown series in `releases` is an error whichever series is loaded); only the rules
    /// that apply to `series` are kept.
    pub fn from_files_for(
        profile: Profile,
        series: &'static Series,
        read: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SuiteError> {
        let table = ReleaseTable::bundled();
        // Each file also as plain TOML: its rules' data goes into the oracle's digest.
        let load = |name: &str| -> Result<(RawFile, Vec<toml::Value>), SuiteError> {
            let text = read(name)
                .ok_or_else(|| SuiteError::Fixture(format!("expectations/{name}: missing")))?;
            let bad = |e: toml::de::Error| SuiteError::Fixture(format!("expectations/{name}: {e}"));
            let raw: RawFile = toml::from_str(&text).map_err(bad)?;
            let table: toml::Table = toml::from_str(&text).map_err(bad)?;
            let rules = match table.get("rule") {
                Some(toml::Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            Ok((raw, rules))
        };
        let (top, top_rules) = load(profile.file())?;
        if top.profile.as_deref() != Some(profile.as_str()) {
            return Err(SuiteError::Fixture(format!(
                "expectations/{}: profile = {:?}, expected {:?}",
                profile.file(),
                top.profile,
                profile.as_str()
            )));
        }
        let mut chain = vec![(profile.file().to_string(), top, top_rules)];
        while let Some(base) = chain.last().and_then(|(_, f, _)| f.extends.clone()) {
            if chain.iter().any(|(n, _, _)| *n == base) || chain.len() > 8 {
                return Err(SuiteError::Fixture(format!(
                    "expectations: circular extends at {base}"
                )));
            }
            let (f, rules) = load(&base)?;
            chain.push((base, f, rules));
        }
        let mut stage_names = chain
            .iter()
            .rev()
            .find_map(|(_, f, _)| f.stages.clone())
            .ok_or_else(|| SuiteError::Fixture("expectations: no file declares `stages`".into()))?;
        // The live file declares its own stages (upstream's `_migrate_live` order), after the
        // cold ones: a rule only ever meets cases of its own action, so the two orders never
        // interleave. A reader without it (a test's) has no live rules.
        let cold_stages = stage_names.len();
        if read(LIVE_FILE).is_some() {
            let (f, rules) = load(LIVE_FILE)?;
            if f.profile.is_some() || f.extends.is_some() {
                return Err(SuiteError::Fixture(format!(
                    "expectations/{LIVE_FILE}: shared by both profiles: no `profile` or `extends`"
                )));
            }
            let own = f.stages.clone().ok_or_else(|| {
                SuiteError::Fixture(format!("expectations/{LIVE_FILE}: no `stages`"))
            })?;
            if let Some(s) = own.iter().find(|s| stage_names.contains(s)) {
                return Err(SuiteError::Fixture(format!(
                    "expectations/{LIVE_FILE}: stage {s:?} is a cold-migration stage"
                )));
            }
            stage_names.extend(own);
            chain.push((LIVE_FILE.to_string(), f, rules));
        }
        let mut stages: Vec<(String, Vec<Rule>)> = stage_names
            .iter()
            .map(|s| (s.clone(), Vec::new()))
            .collect();
        let mut data: Vec<(String, String, serde_json::Value)> = Vec::new();
        for (name, file, tables) in chain {
            let defaults = file.defaults.headers.clone();
            let live = name == LIVE_FILE;
            // A file's rules go to its own action's stages only.
            let (own_stages, other_stages) = stages.split_at_mut(cold_stages);
            let own_stages = if live { other_stages } else { own_stages };
            for (raw, raw_table) in file.rules.into_iter().zip(tables) {
                let slot = own_stages
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
                raw.check_strict().map_err(|source| SuiteError::Rule {
                    file: name.to_string(),
                    rule: raw.id.clone(),
                    source,
                })?;
                let range = raw
                    .when
                    .releases
                    .as_deref()
                    .map(|r| r.parse::<SeriesRange>().and_then(|r| r.resolve(table)))
                    .transpose()
                    .map_err(|e| {
                        SuiteError::Fixture(format!("expectations/{name}: rule {}: {e}", raw.id))
                    })?;
                // Series values are plain text in the pattern (regex-escaped).
                let message = raw.message.as_ref().map(|m| {
                    m.replace(
                        "%(empty_host)s",
                        &regex::escape(series.behaviour.empty_host.as_str()),
                    )
                });
                if let Some(m) = &message {
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
                if raw.exclusive && (200..300).contains(&raw.status) {
                    // An accepted case is chained (alone on its server) anyway.
                    return Err(SuiteError::Fixture(format!(
                        "expectations/{name}: rule {}: `exclusive` is for refusals; a 2xx rule is chained",
                        raw.id
                    )));
                }
                if !raw.when.holds_for(range, series) {
                    continue;
                }
                let headers = raw.headers.or_else(|| defaults.clone()).unwrap_or_default();
                data.push((
                    raw.stage.clone(),
                    name.clone(),
                    rule_data(&raw_table, message.as_deref(), &headers),
                ));
                slot.1.push(Rule {
                    origin: name.clone(),
                    live,
                    id: raw.id,
                    when: raw.when,
                    mv,
                    status: raw.status,
                    fault: raw.fault,
                    message,
                    end,
                    headers,
                    exclusive: raw.exclusive,
                });
            }
        }
        let digest = digest(profile, series, &stage_names, &data);
        Ok(Self {
            profile,
            series,
            stages,
            digest,
        })
    }

    /// `sha256:<hex>` over the rules this oracle judges with (see [`digest`]): two oracles
    /// with the same digest judge every case alike.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The series this oracle judges for.
    pub fn series(&self) -> &'static Series {
        self.series
    }

    /// The expectation for `case` on a target with `bounds`; `None` if no rule matches (the
    /// oracle is incomplete: a test checks that never happens for the matrix).
    ///
    /// Before 2.56 `migrate` has no schema: a `host` is accepted and ignored (the scheduler
    /// picks); from 2.56 the server must end on the host named, and a member is refused by the
    /// admin-only policy:
    ///
    /// ```
    /// use nova_conform::{BodyShape, Case, EndState, ForceVariant, HeaderStyle, HostVariant};
    /// use nova_conform::{MessageContext, Microversion, Oracle, Precondition, Profile, Role};
    /// use nova_conform::{VersionBounds, VersionSelector};
    ///
    /// let oracle = Oracle::bundled(Profile::Nova)?;
    /// let bounds = VersionBounds { min: Microversion::new(2, 1), max: Microversion::new(2, 104) };
    /// let case = |minor, role| Case {
    ///     version: VersionSelector::Exact(Microversion::new(2, minor)),
    ///     header: HeaderStyle::Modern,
    ///     body: BodyShape::Migrate { host: HostVariant::Other, force: ForceVariant::Absent },
    ///     precondition: Precondition::Active,
    ///     role,
    /// };
    /// let ctx = MessageContext::default();
    /// let expect = |minor, role| oracle.expect(&case(minor, role), &bounds, &ctx).unwrap();
    /// assert_eq!((expect(55, Role::Admin).status, expect(55, Role::Admin).end), (202, EndState::VerifyResizeOnOther));
    /// assert_eq!((expect(56, Role::Admin).status, expect(56, Role::Admin).end), (202, EndState::VerifyResizeOnRequested));
    /// let member = expect(56, Role::Member);
    /// assert_eq!((member.status, member.fault.as_deref()), (403, Some("forbidden")));
    /// # Ok::<(), nova_conform::SuiteError>(())
    /// ```
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
            exclusive: rule.exclusive,
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
    if rule.live != case.body.is_live() {
        return false;
    }
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
        && inside(&w.block, case.body.block())
        && inside(&w.disk, case.body.disk())
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
    use nova_releases::{ReleaseTable, Series};

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

    fn series(name: &str) -> &'static Series {
        ReleaseTable::bundled().get(name).unwrap()
    }

    fn at(mv: u32, host: HostVariant, force: ForceVariant, pre: Precondition, role: Role) -> Case {
        Case {
            version: VersionSelector::Exact(Microversion::new(2, mv)),
            header: HeaderStyle::Modern,
            body: BodyShape::Migrate { host, force },
            precondition: pre,
            role,
        }
    }

    /// (status, rule) of `case` for `profile` judged as `series`.
    fn judged(profile: Profile, name: &str, case: &Case) -> (u16, String, Option<String>) {
        let o = Oracle::for_series(profile, series(name)).unwrap();
        let ctx = MessageContext {
            server_id: "s".into(),
            host: Some("h".into()),
            version_sent: None,
        };
        let e = o.expect(case, &bounds(), &ctx).unwrap();
        (e.status, e.rule, e.message_pattern)
    }

    const MIGRATE_403: &str =
        "^Policy doesn't allow os_compute_api:os-migrate-server:migrate to be performed\\.$";
    const MIGRATE_HOST_403: &str =
        "^Policy doesn't allow os_compute_api:os-migrate-server:migrate:host to be performed\\.$";

    #[test]
    fn a_manager_is_a_member_before_2025_2() {
        use HostVariant as H;
        use Precondition as P;
        let no_host = at(2, H::Absent, ForceVariant::Absent, P::Active, Role::Manager);
        for name in ["queens", "2020.1", "2023.1", "2024.2", "2025.1"] {
            let (status, rule, msg) = judged(Profile::Nova, name, &no_host);
            assert_eq!(status, 403, "{name}");
            assert!(
                rule.ends_with("policy-migrate-manager")
                    || rule.ends_with("policy-migrate-manager-before-lookup"),
                "{name}: {rule}"
            );
            assert_eq!(msg.as_deref(), Some(MIGRATE_403), "{name}");
        }
        for name in ["2025.2", "2026.1", "2026.2"] {
            assert_eq!(judged(Profile::Nova, name, &no_host).0, 202, "{name}");
            let locked = at(2, H::Absent, ForceVariant::Absent, P::Locked, Role::Manager);
            assert_eq!(judged(Profile::Nova, name, &locked).1, "common:locked");
            let paused = at(60, H::Null, ForceVariant::Absent, P::Paused, Role::Manager);
            assert_eq!(
                judged(Profile::Nova, name, &paused).1,
                "common:state-paused"
            );
        }
        // Before 2025.2 the locked and paused manager cases are refused by the policy first.
        let locked = at(2, H::Absent, ForceVariant::Absent, P::Locked, Role::Manager);
        assert_eq!(
            judged(Profile::Nova, "2025.1", &locked).1,
            "common:policy-migrate-manager"
        );
    }

    #[test]
    fn migrate_host_policy_only_from_2023_2() {
        use HostVariant as H;
        for role in [Role::Member, Role::Manager] {
            let c = at(
                56,
                H::Other,
                ForceVariant::Absent,
                Precondition::Active,
                role,
            );
            for name in ["2020.1", "2022.2", "2023.1"] {
                let (status, _, msg) = judged(Profile::Nova, name, &c);
                assert_eq!(
                    (status, msg.as_deref()),
                    (403, Some(MIGRATE_403)),
                    "{name} {role}"
                );
            }
            for name in ["2023.2", "2024.1", "2025.1", "2026.2"] {
                let (status, rule, msg) = judged(Profile::Nova, name, &c);
                assert_eq!(
                    (status, msg.as_deref()),
                    (403, Some(MIGRATE_HOST_403)),
                    "{name} {role}"
                );
                assert_eq!(rule, "common:policy-migrate-host");
            }
            // Below 2.56 the host is not read: the migrate rule, in every series.
            let c = at(
                55,
                H::Other,
                ForceVariant::Absent,
                Precondition::Active,
                role,
            );
            assert_eq!(
                judged(Profile::Nova, "2024.1", &c).2.as_deref(),
                Some(MIGRATE_403)
            );
        }
    }

    #[test]
    fn policy_before_lookup_where_the_table_says() {
        use HostVariant as H;
        use Precondition as P;
        let before: Vec<&str> = ReleaseTable::bundled()
            .iter()
            .filter(|s| s.policy.before_lookup)
            .map(|s| s.id.as_str())
            .collect();
        assert!(before.contains(&"2018.1"), "{before:?}");
        for name in ["queens", "2020.1", "2026.2"] {
            let early = series(name).policy.before_lookup;
            for (pre, role) in [
                (P::Nonexistent, Role::Member),
                (P::Nonexistent, Role::Manager),
                (P::Active, Role::Other),
                (P::Nonexistent, Role::Other),
            ] {
                let c = at(60, H::Null, ForceVariant::Absent, pre, role);
                let (status, rule, msg) = judged(Profile::Nova, name, &c);
                if early {
                    assert_eq!(
                        (status, msg.as_deref()),
                        (403, Some(MIGRATE_403)),
                        "{name} {pre} {role}"
                    );
                    assert!(rule.contains("before-lookup"), "{rule}");
                } else {
                    assert_eq!(status, 404, "{name} {pre} {role}: {rule}");
                }
            }
            // An admin still gets the 404.
            let c = at(
                60,
                H::Null,
                ForceVariant::Absent,
                P::Nonexistent,
                Role::Admin,
            );
            assert_eq!(judged(Profile::Nova, name, &c).0, 404, "{name}");
        }
    }

    #[test]
    fn no_valid_host_is_a_synchronous_400_where_the_table_says() {
        use HostVariant as H;
        for host in [H::Disabled, H::NoCapacity] {
            let c = at(
                56,
                host,
                ForceVariant::Absent,
                Precondition::Active,
                Role::Admin,
            );
            let (status, rule, msg) = judged(Profile::Nova, "queens", &c);
            assert_eq!((status, rule.as_str()), (400, "common:no-valid-host-sync"));
            assert_eq!(
                msg.as_deref(),
                Some("^No valid host was found\\. No valid host found for cold migrate$")
            );
            let o = Oracle::for_series(Profile::Nova, series("2020.1")).unwrap();
            let e = o.expect(&c, &bounds(), &MessageContext::default()).unwrap();
            assert_eq!((e.status, e.end), (202, EndState::AsyncFailure));
            // pike-spec: a forced host skips the scheduler, in every series.
            for force in [ForceVariant::True, ForceVariant::StringTrue] {
                let c = at(56, host, force, Precondition::Active, Role::Admin);
                assert_eq!(
                    judged(Profile::PikeSpec, "queens", &c).1,
                    "pike-spec:forced-to-host"
                );
            }
            let c = at(
                56,
                host,
                ForceVariant::StringFalse,
                Precondition::Active,
                Role::Admin,
            );
            assert_eq!(
                judged(Profile::PikeSpec, "queens", &c).1,
                "common:no-valid-host-sync"
            );
        }
    }

    #[test]
    fn empty_host_message_of_the_series() {
        let c = at(
            56,
            HostVariant::Empty,
            ForceVariant::Absent,
            Precondition::Active,
            Role::Admin,
        );
        let (_, _, old) = judged(Profile::Nova, "2023.1", &c);
        let (_, _, new) = judged(Profile::Nova, "2024.1", &c);
        assert_eq!(
            old.as_deref(),
            Some("^Invalid input for field/attribute host\\. Value: \\. '' is too short$")
        );
        assert_eq!(
            new.as_deref(),
            Some("^Invalid input for field/attribute host\\. Value: \\. '' should be non\\-empty$")
        );
        assert!(crate::message::matches(
            new.as_deref().unwrap(),
            &[],
            "Invalid input for field/attribute host. Value: . '' should be non-empty"
        ));
        assert!(!crate::message::matches(
            new.as_deref().unwrap(),
            &[],
            "Invalid input for field/attribute host. Value: . '' is too short"
        ));
    }

    #[test]
    fn max_microversion_of_the_series_in_out_of_range_and_latest() {
        // The bounds the run judges with are the endpoint's; for a series that is its max.
        let s = series("2025.1");
        let b = VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, s.max_microversion.minor),
        };
        let o = Oracle::for_series(Profile::Nova, s).unwrap();
        let mut c = at(
            2,
            HostVariant::Absent,
            ForceVariant::Absent,
            Precondition::Active,
            Role::Admin,
        );
        c.version = VersionSelector::OutOfRange;
        let e = o
            .expect(
                &c,
                &b,
                &MessageContext {
                    version_sent: Some("2.101".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(e.status, 406);
        assert!(e.message.unwrap().ends_with("maximum is 2\\.100\\.$"));
        c.version = VersionSelector::Latest;
        c.body = BodyShape::Migrate {
            host: HostVariant::Other,
            force: ForceVariant::Absent,
        };
        let e = o.expect(&c, &b, &MessageContext::default()).unwrap();
        assert_eq!((e.status, e.end), (202, EndState::VerifyResizeOnRequested));
    }

    #[test]
    fn pike_force_without_host_after_lookup_and_policy_before_lock() {
        use HostVariant as H;
        use Precondition as P;
        for force in [ForceVariant::True, ForceVariant::StringTrue] {
            let j = |pre, role| {
                judged(
                    Profile::PikeSpec,
                    "2026.2",
                    &at(56, H::Null, force, pre, role),
                )
                .1
            };
            assert_eq!(j(P::Active, Role::Admin), "pike-spec:force-without-host");
            assert_eq!(j(P::Locked, Role::Admin), "pike-spec:force-without-host");
            assert_eq!(j(P::Locked, Role::Manager), "pike-spec:force-without-host");
            assert_eq!(j(P::Paused, Role::Admin), "pike-spec:force-without-host");
            assert_eq!(j(P::Nonexistent, Role::Admin), "common:server-not-found");
            assert_eq!(j(P::Active, Role::Other), "common:other-project-not-found");
            assert_eq!(j(P::Active, Role::Member), "common:policy-migrate");
            // A manager where migrate is admin-only is refused by the policy first.
            let c = at(56, H::Null, force, P::Active, Role::Manager);
            assert_eq!(
                judged(Profile::PikeSpec, "2025.1", &c).1,
                "common:policy-migrate-manager"
            );
        }
        // "off" is false: the scheduler checks the host as without force.
        let c = at(
            56,
            H::Other,
            ForceVariant::StringFalse,
            P::Active,
            Role::Admin,
        );
        assert_eq!(
            judged(Profile::PikeSpec, "2026.2", &c).1,
            "common:accepted-requested-host"
        );
        let c = at(
            56,
            H::Other,
            ForceVariant::StringTrue,
            P::Active,
            Role::Admin,
        );
        assert_eq!(
            judged(Profile::Nova, "2026.2", &c).1,
            "nova:force-not-allowed"
        );
    }

    #[test]
    fn release_ranges_are_validated_and_limit_rules() {
        let file = |releases: &str| {
            format!(
                "profile = \"nova\"\nstages = [\"a\"]\n[[rule]]\nid = \"x\"\nstage = \"a\"\n\
                 when = {{ releases = \"{releases}\" }}\nstatus = 400\nfault = \"badRequest\"\n\
                 message = \"^x$\"\n\
                 [[rule]]\nid = \"y\"\nstage = \"a\"\nstatus = 409\nfault = \"conflict\"\n\
                 message = \"^y$\"\n"
            )
        };
        let load = |releases: &str, name: &str| {
            let text = file(releases);
            Oracle::from_files_for(Profile::Nova, series(name), &move |n: &str| {
                (n == "nova.toml").then(|| text.clone())
            })
        };
        let c = at(
            2,
            HostVariant::Absent,
            ForceVariant::Absent,
            Precondition::Active,
            Role::Admin,
        );
        let status = |o: Oracle| {
            o.expect(&c, &bounds(), &MessageContext::default())
                .unwrap()
                .status
        };
        assert_eq!(status(load("2023.2-", "2023.2").unwrap()), 400);
        assert_eq!(status(load("2023.2-", "2023.1").unwrap()), 409);
        assert_eq!(status(load("queens-train", "stein").unwrap()), 400);
        assert_eq!(status(load("-2025.1", "2025.2").unwrap()), 409);
        // An unknown series is a load error, whichever series is loaded.
        let err = load("kilo-", "2026.2").unwrap_err().to_string();
        assert!(
            err.contains("rule x") && err.contains("unknown Nova release \"kilo\""),
            "{err}"
        );
        assert!(load("train-queens", "2026.2").is_err());
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
        let read = |name: &str| -> Option<String> {
            match name {
                "nova.toml" => Some(
                    "profile = \"nova\"\nstages = [\"a\"]\n[[rule]]\nid = \"x\"\nstage = \"a\"\nstatus = 202\nend = \"unchanged\"\nexclusive = true\n".into(),
                ),
                _ => None,
            }
        };
        let err = Oracle::from_files(Profile::Nova, &read)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`exclusive` is for refusals"), "{err}");
    }

    /// The digest changes with what can change a verdict, and only with that.
    #[test]
    fn digest_covers_the_rules_and_only_them() {
        let files: BTreeMap<&str, String> =
            BUNDLED.iter().map(|(n, t)| (*n, t.to_string())).collect();
        let newest = ReleaseTable::bundled().newest();
        let load = |files: &BTreeMap<&str, String>, profile, series| {
            Oracle::from_files_for(profile, series, &|n| files.get(n).cloned())
                .unwrap()
                .digest()
                .to_string()
        };
        let base = load(&files, Profile::Nova, newest);
        assert!(
            base.starts_with("sha256:") && base.len() == 7 + 64,
            "{base}"
        );
        assert_eq!(base, Oracle::bundled(Profile::Nova).unwrap().digest());
        // A source text, a comment: the same digest.
        let mut f = files.clone();
        let nova = f["nova.toml"].replacen(
            "source = \"reference: exact validation messages\"",
            "source = \"somewhere else\"\n# a comment",
            1,
        );
        assert_ne!(nova, f["nova.toml"]);
        f.insert("nova.toml", nova);
        assert_eq!(load(&f, Profile::Nova, newest), base);
        // A rule's status: another digest.
        let mut f = files.clone();
        let nova = f["nova.toml"].replacen("status = 400", "status = 409", 1);
        f.insert("nova.toml", nova);
        assert_ne!(load(&f, Profile::Nova, newest), base);
        // Another profile, another series whose facts differ: other digests.
        assert_ne!(load(&files, Profile::PikeSpec, newest), base);
        assert_ne!(
            load(
                &files,
                Profile::Nova,
                ReleaseTable::bundled().get("2025.1").unwrap()
            ),
            base
        );
    }
}

#[cfg(test)]
mod coverage {
    use super::*;
    use crate::matrix::{build, MatrixKind};
    use crate::microversion::Microversion;

    #[test]
    fn every_case_of_the_exhaustive_matrix_has_an_expectation() {
        // For every series of the table, with that series' bounds.
        let table = nova_releases::ReleaseTable::bundled();
        assert_eq!(table.len(), 18);
        for series in table.iter() {
            let max = series.max_microversion;
            let bounds = VersionBounds {
                min: Microversion::new(2, 1),
                max: Microversion::new(max.major, max.minor),
            };
            let cases = build(MatrixKind::Exhaustive, &bounds);
            for profile in Profile::ALL {
                let oracle = Oracle::for_series(profile, series).unwrap();
                for case in &cases {
                    let e = oracle.expect(case, &bounds, &MessageContext::default());
                    assert!(
                        e.is_some(),
                        "{profile} {}: no rule for {}",
                        series.id,
                        case.name()
                    );
                }
            }
        }
    }
}
