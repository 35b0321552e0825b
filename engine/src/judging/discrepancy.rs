//! Known discrepancies between the suite's oracle and the bundled mock, from
//! `fixtures/known-discrepancies.toml`: they annotate results, never change verdicts.
use serde::Deserialize;

use crate::error::SuiteError;
use crate::filter::Filter;
use crate::oracle::Profile;
use crate::runner::RunOutcome;

const BUNDLED: &str = include_str!("../../../fixtures/known-discrepancies.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    profile: Option<Profile>,
    filter: String,
    note: String,
}

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    discrepancy: Vec<Entry>,
}

/// A known discrepancy: the profile it applies to (`None`: both), the cases (a `--filter`
/// expression) and the note.
pub(crate) type Known = (Option<Profile>, Filter, String);

/// Parsed entries: (profile, filter, note).
pub(crate) fn load(text: &str) -> Result<Vec<Known>, SuiteError> {
    let f: File = toml::from_str(text)
        .map_err(|e| SuiteError::Fixture(format!("known-discrepancies.toml: {e}")))?;
    f.discrepancy
        .into_iter()
        .map(|e| Ok((e.profile, Filter::parse(Some(&e.filter), None)?, e.note)))
        .collect()
}

/// The bundled entries (compiled in; `bundled_file_parses` keeps them readable).
pub(crate) fn bundled() -> Vec<Known> {
    load(BUNDLED).unwrap_or_default()
}

/// Annotates failing results of `outcome` that match one of `entries`. Only for runs against
/// the embedded mock (the session applies it to those alone, [`crate::session::Session::execute`]):
/// on any other target a failure is the target's.
pub(crate) fn mark(outcome: &mut RunOutcome, entries: &[Known]) {
    for r in &mut outcome.results {
        let Some(c) = &r.case else { continue };
        if r.verdict.kind() == crate::verdict::VerdictKind::Pass {
            continue;
        }
        if let Some((_, _, note)) = entries
            .iter()
            .find(|(p, f, _)| p.is_none_or(|p| p == outcome.profile) && f.matches(c))
        {
            r.known_discrepancy = Some(note.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_file_parses() {
        super::load(super::BUNDLED).unwrap();
        let e = super::load(
            "[[discrepancy]]\nprofile = \"nova\"\nfilter = \"host=disabled\"\nnote = \"n\"\n",
        )
        .unwrap();
        assert_eq!(e.len(), 1);
        assert!(super::load("[[discrepancy]]\nfilter = \"colour=red\"\nnote = \"n\"\n").is_err());
    }
}
