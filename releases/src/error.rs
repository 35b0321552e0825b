use thiserror::Error;

/// What can be wrong with the release table or a name given for a series.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ReleaseError {
    /// The table file does not parse or breaks an invariant (order, duplicates).
    #[error("release table: {0}")]
    Table(String),
    /// A series name (`2025.1`, `epoxy`, `31.3.1`) that is not in the table.
    #[error("unknown Nova release {name:?} (known: {known})")]
    Unknown { name: String, known: String },
    /// A malformed range (`2023.2-`, `-2025.1`, `queens-train`).
    #[error("invalid release range {0:?} (expected SERIES, SERIES-, -SERIES or SERIES-SERIES)")]
    Range(String),
    /// A malformed microversion.
    #[error("invalid microversion {0:?} (expected MAJOR.MINOR)")]
    Microversion(String),
}
