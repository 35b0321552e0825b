//! Compute API microversions, the version selectors a case sends, and version ranges.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::SuiteError;

/// A compute microversion `MAJOR.MINOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Microversion {
    pub major: u32,
    pub minor: u32,
}

impl Microversion {
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Microversion {
    type Err = SuiteError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || SuiteError::Usage(format!("invalid microversion {s:?} (expected MAJOR.MINOR)"));
        let (a, b) = s.trim().split_once('.').ok_or_else(bad)?;
        Ok(Self {
            major: a.parse().map_err(|_| bad())?,
            minor: b.parse().map_err(|_| bad())?,
        })
    }
}

impl TryFrom<String> for Microversion {
    type Error = SuiteError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Microversion> for String {
    fn from(v: Microversion) -> String {
        v.to_string()
    }
}

/// Inclusive range of microversions; either end may be open (`2.56-`, `-2.55`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct MvRange {
    pub from: Option<Microversion>,
    pub to: Option<Microversion>,
}

impl MvRange {
    pub(crate) fn contains(&self, v: Microversion) -> bool {
        self.from.is_none_or(|f| v >= f) && self.to.is_none_or(|t| v <= t)
    }
}

impl FromStr for MvRange {
    type Err = SuiteError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let opt = |p: &str| -> Result<Option<Microversion>, SuiteError> {
            if p.trim().is_empty() {
                Ok(None)
            } else {
                p.parse().map(Some)
            }
        };
        match s.split_once('-') {
            Some((a, b)) => Ok(Self {
                from: opt(a)?,
                to: opt(b)?,
            }),
            None => {
                let v = s.parse()?;
                Ok(Self {
                    from: Some(v),
                    to: Some(v),
                })
            }
        }
    }
}

impl fmt::Display for MvRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (a, b) => write!(
                f,
                "{}-{}",
                a.map(|v| v.to_string()).unwrap_or_default(),
                b.map(|v| v.to_string()).unwrap_or_default()
            ),
        }
    }
}

/// What a case puts in the version header(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "version")]
pub enum VersionSelector {
    /// No version header: the API answers as its minimum.
    Absent,
    Exact(Microversion),
    Latest,
    /// A value that does not match `MAJOR.MINOR` (sent as `2.x`).
    Malformed,
    /// The target's maximum plus one.
    OutOfRange,
}

impl VersionSelector {
    /// Kind keyword used in case ids, filters and oracle rules.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Absent => "absent",
            Self::Exact(_) => "exact",
            Self::Latest => "latest",
            Self::Malformed => "malformed",
            Self::OutOfRange => "out-of-range",
        }
    }

    /// The version the API should act as, given the target's range; `None` when the
    /// request must be refused before any version applies.
    pub fn effective(&self, range: &VersionBounds) -> Option<Microversion> {
        match self {
            Self::Absent => Some(range.min),
            Self::Exact(v) => Some(*v),
            Self::Latest => Some(range.max),
            Self::Malformed | Self::OutOfRange => None,
        }
    }

    /// The header value sent (without the `compute ` prefix); `None` for no header.
    pub fn header_value(&self, range: &VersionBounds) -> Option<String> {
        match self {
            Self::Absent => None,
            Self::Exact(v) => Some(v.to_string()),
            Self::Latest => Some("latest".into()),
            Self::Malformed => Some("2.x".into()),
            Self::OutOfRange => {
                Some(Microversion::new(range.max.major, range.max.minor + 1).to_string())
            }
        }
    }

    /// The version the answer's version headers must carry: the effective one, or the
    /// requested one echoed back on an out-of-range refusal.
    pub fn echoed(&self, range: &VersionBounds) -> Option<String> {
        match self {
            Self::OutOfRange => self.header_value(range),
            Self::Malformed => None,
            _ => self.effective(range).map(|v| v.to_string()),
        }
    }

    /// Sort key placing exact versions in order and the special selectors after them.
    pub fn sort_key(&self) -> (u8, Microversion) {
        match self {
            Self::Exact(v) => (0, *v),
            Self::Absent => (1, Microversion::new(0, 0)),
            Self::Latest => (2, Microversion::new(0, 0)),
            Self::Malformed => (3, Microversion::new(0, 0)),
            Self::OutOfRange => (4, Microversion::new(0, 0)),
        }
    }
}

impl fmt::Display for VersionSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(v) => write!(f, "{v}"),
            other => f.write_str(other.kind()),
        }
    }
}

/// Which header carries the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderStyle {
    /// `OpenStack-API-Version: compute X.Y`
    Modern,
    /// only the legacy `X-OpenStack-Nova-API-Version: X.Y`
    Legacy,
}

impl HeaderStyle {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Modern => "modern",
            Self::Legacy => "legacy",
        }
    }
}

/// The target's advertised range (from `GET /v2.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionBounds {
    pub min: Microversion,
    pub max: Microversion,
}

impl VersionBounds {
    /// Every version from min to max (same major).
    pub fn all(&self) -> Vec<Microversion> {
        (self.min.minor..=self.max.minor)
            .map(|m| Microversion::new(self.min.major, m))
            .filter(|v| *v >= self.min && *v <= self.max)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let a: Microversion = "2.9".parse().unwrap();
        let b: Microversion = "2.56".parse().unwrap();
        assert!(a < b);
        assert!("2".parse::<Microversion>().is_err());
        assert!("x.1".parse::<Microversion>().is_err());
    }

    #[test]
    fn ranges() {
        let r: MvRange = "2.56-".parse().unwrap();
        assert!(r.contains("2.104".parse().unwrap()));
        assert!(!r.contains("2.55".parse().unwrap()));
        let r: MvRange = "-2.55".parse().unwrap();
        assert!(r.contains("2.1".parse().unwrap()));
        let r: MvRange = "2.50-2.60".parse().unwrap();
        assert!(!r.contains("2.61".parse().unwrap()));
        assert_eq!(r.to_string(), "2.50-2.60");
    }

    #[test]
    fn selectors_resolve_against_bounds() {
        let b = VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 104),
        };
        assert_eq!(VersionSelector::Latest.effective(&b), Some(b.max));
        assert_eq!(VersionSelector::Absent.effective(&b), Some(b.min));
        assert_eq!(
            VersionSelector::OutOfRange.header_value(&b).as_deref(),
            Some("2.105")
        );
        assert_eq!(
            VersionSelector::OutOfRange.echoed(&b).as_deref(),
            Some("2.105")
        );
        assert_eq!(b.all().len(), 104);
    }
}
