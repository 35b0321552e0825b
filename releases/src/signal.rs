//! Read-only requests whose answer tells series apart that the max microversion cannot
//! (`--nova-release auto` sends them): each names the series where the answer is "allowed".
use serde::Deserialize;

use crate::{ReleaseError, ReleaseTable, SeriesRange};

/// One signal of the table (`[[signal]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signal {
    /// What the suite knows how to send, e.g. `manager-lists-own-migrations`.
    pub id: String,
    /// The request, for people (the suite sends it by `id`).
    pub request: String,
    /// The series where the request is allowed (2xx); every other series refuses it (403).
    pub allowed: String,
    /// Where the fact comes from.
    pub sources: Vec<String>,
}

impl Signal {
    /// The `allowed` range, resolved against `table`: `(first, last)` indexes.
    pub fn allowed_range(&self, table: &ReleaseTable) -> Result<(usize, usize), ReleaseError> {
        self.allowed.parse::<SeriesRange>()?.resolve(table)
    }
}
