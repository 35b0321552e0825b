//! Reports: JUnit XML for CI gates, JSON (schema in docs/report-schema.md), offline HTML,
//! subunit v2 for OpenStack's tooling.
pub mod behaviour_map;
pub mod classes;
pub mod consistency;
pub mod error;
pub mod html;
pub mod json;
pub mod junit;
pub mod subunit;
pub mod summary;
