//! The cases: the matrix's axes (microversion, header, body, precondition, role), the matrix
//! itself, the request bodies rendered from `fixtures/bodies`, and the `--filter` language.
pub mod body;
pub mod case;
pub mod filter;
pub mod live_matrix;
pub mod matrix;
pub mod microversion;
pub mod variant;
