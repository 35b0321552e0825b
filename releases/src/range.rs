//! Ranges of series, as oracle rules and the docs write them: `2023.2-`, `-2025.1`,
//! `queens-train`, `2025.1`.
use std::str::FromStr;

use crate::{ReleaseError, ReleaseTable, Series};

/// An inclusive range of series by name; either end may be open. Names are resolved against
/// a table when used ([`SeriesRange::resolve`]), so a range is plain data until then.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SeriesRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl FromStr for SeriesRange {
    type Err = ReleaseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || ReleaseError::Range(s.to_string());
        let name = |p: &str| -> Result<Option<String>, ReleaseError> {
            let p = p.trim();
            if p.is_empty() {
                Ok(None)
            } else if p.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                Ok(Some(p.to_ascii_lowercase()))
            } else {
                Err(bad())
            }
        };
        let range = match s.split_once('-') {
            None => {
                let n = name(s)?.ok_or_else(bad)?;
                Self {
                    from: Some(n.clone()),
                    to: Some(n),
                }
            }
            Some((a, b)) => {
                if b.contains('-') {
                    return Err(bad());
                }
                Self {
                    from: name(a)?,
                    to: name(b)?,
                }
            }
        };
        if range.from.is_none() && range.to.is_none() {
            return Err(bad());
        }
        Ok(range)
    }
}

impl SeriesRange {
    /// The table indexes `(first, last)` this range covers; an error names an unknown series.
    pub fn resolve(&self, table: &ReleaseTable) -> Result<(usize, usize), ReleaseError> {
        let from = match &self.from {
            Some(n) => table.get(n)?.index(),
            None => 0,
        };
        let to = match &self.to {
            Some(n) => table.get(n)?.index(),
            None => table.len() - 1,
        };
        if from > to {
            return Err(ReleaseError::Range(format!(
                "{}-{}",
                self.from.as_deref().unwrap_or(""),
                self.to.as_deref().unwrap_or("")
            )));
        }
        Ok((from, to))
    }

    /// Whether `series` is inside the range (an unresolvable range contains nothing; load
    /// ranges with [`SeriesRange::resolve`] first to report the error).
    pub fn contains(&self, table: &ReleaseTable, series: &Series) -> bool {
        self.resolve(table)
            .map(|(a, b)| (a..=b).contains(&series.index()))
            .unwrap_or(false)
    }
}
