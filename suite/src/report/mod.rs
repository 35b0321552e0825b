//! Reports: JUnit XML for CI gates, JSON (schema in docs/report-schema.md), offline HTML.
pub mod html;
pub mod json;
pub mod junit;
