//! The table itself: the bundled `fixtures/releases.toml`, parsed once.
use std::sync::OnceLock;

use serde::Deserialize;

use crate::{Microversion, ReleaseError, Series, Signal};

/// The bundled table's text.
pub const BUNDLED: &str = include_str!("../../fixtures/releases.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    series: Vec<Series>,
    #[serde(default, rename = "signal")]
    signals: Vec<Signal>,
}

/// Every series, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseTable {
    series: Vec<Series>,
    signals: Vec<Signal>,
}

impl ReleaseTable {
    /// The table bundled with this build (`fixtures/releases.toml`).
    pub fn bundled() -> &'static ReleaseTable {
        static TABLE: OnceLock<ReleaseTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            // The file is part of the build and tested; failing here is a build defect.
            Self::parse(BUNDLED).expect("fixtures/releases.toml is valid")
        })
    }

    /// Parses a table; series must be listed oldest first with rising Nova majors.
    pub fn parse(text: &str) -> Result<Self, ReleaseError> {
        let File {
            mut series,
            signals,
        } = toml::from_str(text).map_err(|e| ReleaseError::Table(e.to_string()))?;
        if series.is_empty() {
            return Err(ReleaseError::Table("no series".into()));
        }
        for (i, s) in series.iter_mut().enumerate() {
            s.index = i;
        }
        for w in series.windows(2) {
            if w[1].major() <= w[0].major() || w[1].max_microversion < w[0].max_microversion {
                return Err(ReleaseError::Table(format!(
                    "series {} must come after {} (oldest first)",
                    w[1].id, w[0].id
                )));
            }
        }
        for (i, s) in series.iter().enumerate() {
            if series[..i]
                .iter()
                .any(|o| o.id == s.id || o.codename == s.codename)
            {
                return Err(ReleaseError::Table(format!("series {} listed twice", s.id)));
            }
        }
        let table = Self { series, signals };
        for s in &table.signals {
            s.allowed_range(&table)
                .map_err(|e| ReleaseError::Table(format!("signal {}: {e}", s.id)))?;
        }
        Ok(table)
    }

    /// The read-only signals (`[[signal]]`), in file order.
    pub fn signals(&self) -> &[Signal] {
        &self.signals
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Every series, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Series> {
        self.series.iter()
    }

    /// The newest series.
    pub fn newest(&self) -> &Series {
        self.series.last().expect("the table is never empty")
    }

    /// A series by id (`2025.1`), codename (`epoxy`), or Nova version (`31`, `31.3.1`).
    pub fn get(&self, name: &str) -> Result<&Series, ReleaseError> {
        let n = name.trim().to_ascii_lowercase();
        let major = n.split('.').next().and_then(|m| m.parse::<u32>().ok());
        self.series
            .iter()
            .find(|s| s.id == n || s.codename == n)
            .or_else(|| {
                // A Nova version: `31` or `31.3.1` (never `2025.1`, which is an id).
                let m = major.filter(|m| *m < 1000)?;
                self.series.iter().find(|s| s.major() == m)
            })
            .ok_or_else(|| ReleaseError::Unknown {
                name: name.to_string(),
                known: self
                    .series
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The series whose max microversion is `max` (several series can share one).
    pub fn with_max_microversion(&self, max: Microversion) -> impl Iterator<Item = &Series> {
        self.series
            .iter()
            .filter(move |s| s.max_microversion == max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_covers_queens_to_2026_2_in_order() {
        let t = ReleaseTable::bundled();
        let ids: Vec<_> = t.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "2018.1", "2018.2", "2019.1", "2019.2", "2020.1", "2020.2", "2021.1", "2021.2",
                "2022.1", "2022.2", "2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2025.2",
                "2026.1", "2026.2"
            ]
        );
        assert_eq!(t.newest().max_microversion, Microversion::new(2, 104));
        assert_eq!(
            t.get("queens").unwrap().max_microversion,
            Microversion::new(2, 60)
        );
    }

    #[test]
    fn names_resolve_by_id_codename_and_nova_version() {
        let t = ReleaseTable::bundled();
        assert_eq!(t.get("2025.1").unwrap().codename, "epoxy");
        assert_eq!(t.get("Epoxy").unwrap().id, "2025.1");
        assert_eq!(t.get("31.3.1").unwrap().id, "2025.1");
        assert_eq!(t.get("17").unwrap().id, "2018.1");
        let err = t.get("2017.2").unwrap_err().to_string();
        assert!(
            err.starts_with("unknown Nova release \"2017.2\" (known: 2018.1, "),
            "{err}"
        );
    }

    #[test]
    fn out_of_order_and_duplicate_series_are_rejected() {
        let one = |id: &str, nova: &str, mv: &str| {
            format!(
                "[[series]]\nid = \"{id}\"\ncodename = \"c{id}\"\nnova = \"{nova}\"\nverified = \"{nova}\"\n\
                 max_microversion = \"{mv}\"\npython = \"3.11\"\nlock = \"l\"\nsources = []\n\
                 policy = {{ migrate = \"admin\", migrate_host = \"none\", migrate_live = \"admin\", migrate_live_host = \"none\", before_lookup = false, enforce_new_defaults = \"true\", enforce_scope = \"true\" }}\n\
                 behaviour = {{ no_valid_host = \"async\", empty_host = \"is too short\", ram_allocation_ratio = \"1.0\" }}\n"
            )
        };
        let ok = one("2020.1", "21.0.0", "2.87") + &one("2020.2", "22.0.0", "2.87");
        assert_eq!(ReleaseTable::parse(&ok).unwrap().len(), 2);
        let swapped = one("2020.2", "22.0.0", "2.87") + &one("2020.1", "21.0.0", "2.87");
        assert!(ReleaseTable::parse(&swapped)
            .unwrap_err()
            .to_string()
            .contains("oldest first"));
        let twice = one("2020.1", "21.0.0", "2.87") + &one("2020.1", "22.0.0", "2.87");
        assert!(ReleaseTable::parse(&twice)
            .unwrap_err()
            .to_string()
            .contains("twice"));
        assert!(ReleaseTable::parse("series = []").is_err());
    }

    #[test]
    fn ranges() {
        let t = ReleaseTable::bundled();
        let r: crate::SeriesRange = "2023.2-".parse().unwrap();
        assert!(r.contains(t, t.get("2023.2").unwrap()));
        assert!(!r.contains(t, t.get("2023.1").unwrap()));
        let r: crate::SeriesRange = "queens-train".parse().unwrap();
        assert_eq!(r.resolve(t).unwrap(), (0, 3));
        let r: crate::SeriesRange = "-2025.1".parse().unwrap();
        assert!(r.contains(t, t.get("queens").unwrap()));
        assert!(!r.contains(t, t.get("2025.2").unwrap()));
        let r: crate::SeriesRange = "epoxy".parse().unwrap();
        assert_eq!(r.resolve(t).unwrap(), (14, 14));
        assert!("train-queens"
            .parse::<crate::SeriesRange>()
            .unwrap()
            .resolve(t)
            .is_err());
        assert!("-".parse::<crate::SeriesRange>().is_err());
        assert!("a-b-c".parse::<crate::SeriesRange>().is_err());
        assert!("kilo-"
            .parse::<crate::SeriesRange>()
            .unwrap()
            .resolve(t)
            .is_err());
    }

    #[test]
    fn signals_resolve_and_a_bad_range_is_a_table_error() {
        let t = ReleaseTable::bundled();
        let s = &t.signals()[0];
        assert_eq!(s.id, "manager-lists-own-migrations");
        assert_eq!(s.allowed_range(t).unwrap(), (15, 17));
        let bad = format!(
            "{}\n[[signal]]\nid = \"x\"\nrequest = \"GET /\"\nallowed = \"kilo-\"\nsources = []\n",
            BUNDLED.split("\n[[signal]]").next().unwrap()
        );
        let err = ReleaseTable::parse(&bad).unwrap_err().to_string();
        assert!(
            err.contains("signal x: unknown Nova release \"kilo\""),
            "{err}"
        );
    }
}
