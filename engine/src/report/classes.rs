//! Behaviour classes and which cases keep their exchange in a report (`--exchanges`).
//!
//! A behaviour class is a distinct answer (`behaviour_map::answer`: status, fault, redacted
//! message, end state, and the verdict when it is not a pass). Its representative is the first
//! case, in report order, that gave that answer with a recorded exchange: the same case the
//! representative-exchange snapshots show. With [`ExchangeMode::Representative`] (the default)
//! a report keeps the details (exchange, follow-up, expectation, observation) of every
//! non-passing case and of each class representative, and only the id, name, verdict, rule and
//! class of the other passing cases: every passing member of a class gave the representative's
//! answer, so nothing a reader needs is lost, and the default run's reports shrink from tens of
//! megabytes to under two.
use std::collections::HashMap;

use serde::Serialize;

use crate::behaviour_map::answer;
use crate::runner::RunOutcome;
use crate::verdict::VerdictKind;

/// Which exchanges a report keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExchangeMode {
    /// Every case's.
    All,
    /// Every non-passing case's and one representative's per behaviour class.
    #[default]
    Representative,
}

impl ExchangeMode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Representative => "representative",
        }
    }
}

/// One behaviour class of a run.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Class {
    /// The answer in one line, as the behaviour maps show it.
    pub answer: String,
    /// Id of the case whose exchange stands for the class (null: no case of the class has an
    /// exchange, e.g. skips).
    pub representative: Option<String>,
    /// How many cases gave this answer.
    pub cases: usize,
}

/// The classes of a run and, per result (same order as `RunOutcome::results`), its class and
/// whether its details are kept.
#[derive(Debug, Clone)]
pub struct Classes {
    pub classes: Vec<Class>,
    /// Class index of each result.
    pub class_of: Vec<usize>,
    /// Index (into the results) of each class's representative.
    pub representative_of: Vec<Option<usize>>,
    /// Whether each result keeps its own details.
    pub kept: Vec<bool>,
}

impl Classes {
    pub fn of(outcome: &RunOutcome, mode: ExchangeMode) -> Self {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut classes: Vec<Class> = Vec::new();
        let mut representative_of: Vec<Option<usize>> = Vec::new();
        let mut class_of = Vec::with_capacity(outcome.results.len());
        for (i, r) in outcome.results.iter().enumerate() {
            let a = answer(r);
            let k = *index.entry(a.clone()).or_insert_with(|| {
                classes.push(Class {
                    answer: a,
                    representative: None,
                    cases: 0,
                });
                representative_of.push(None);
                classes.len() - 1
            });
            classes[k].cases += 1;
            if representative_of[k].is_none() && r.exchange.is_some() {
                representative_of[k] = Some(i);
                classes[k].representative = Some(r.id.clone());
            }
            class_of.push(k);
        }
        let kept = outcome
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                mode == ExchangeMode::All
                    || r.verdict.kind() != VerdictKind::Pass
                    || r.known_discrepancy.is_some()
                    // Nothing to point at: keep the case's own (it has no exchange either).
                    || representative_of[class_of[i]].is_none_or(|rep| rep == i)
            })
            .collect();
        Self {
            classes,
            class_of,
            representative_of,
            kept,
        }
    }

    /// How many results keep their exchange (those that have one).
    pub fn kept_exchanges(&self, outcome: &RunOutcome) -> usize {
        outcome
            .results
            .iter()
            .zip(&self.kept)
            .filter(|(r, k)| **k && r.exchange.is_some())
            .count()
    }
}
