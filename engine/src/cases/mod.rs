//! The cases: the matrix's axes (microversion, header, body, precondition, role), the matrix
//! itself, the request bodies rendered from `fixtures/bodies`, and the `--filter` language.
pub(crate) mod body;
pub(crate) mod case;
pub(crate) mod filter;
pub(crate) mod live_matrix;
pub(crate) mod matrix;
pub(crate) mod microversion;
pub(crate) mod variant;
