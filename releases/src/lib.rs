//! The Nova release table: every series from Queens (where microversion 2.56, cold migration
//! with a target host, was added) to 2026.2, as data (`fixtures/releases.toml`).
//!
//! The oracle limits rules to ranges of series, the mock takes a series' policies and message
//! variants, and `--nova-release auto` narrows the candidates from what discovery sees.
//!
//! ```
//! use nova_releases::{ReleaseTable, SeriesRange};
//!
//! let table = ReleaseTable::bundled();
//! let epoxy = table.get("epoxy").unwrap();
//! assert_eq!(epoxy.id, "2025.1");
//! assert_eq!(epoxy.max_microversion.to_string(), "2.100");
//! // Two series share 2.100: the max microversion alone cannot tell them apart.
//! let ids: Vec<_> = table.with_max_microversion(epoxy.max_microversion).map(|s| s.id.as_str()).collect();
//! assert_eq!(ids, ["2025.1", "2025.2"]);
//! let range: SeriesRange = "2025.2-".parse().unwrap();
//! assert!(!range.contains(table, epoxy));
//! ```
mod error;
mod range;
mod series;
mod signal;
mod table;

pub use error::ReleaseError;
pub use range::SeriesRange;
pub use series::{
    Behaviour, EmptyHostMessage, Microversion, NoValidHost, OsloPolicyDefault, Policy, PolicyRule,
    RamAllocationRatio, Series,
};
pub use signal::Signal;
pub use table::ReleaseTable;
