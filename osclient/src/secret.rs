//! A string that never shows itself in `Debug` or `Display`.
//!
//! Hand-written instead of the `secrecy` crate: all we need is redaction in formatting
//! (passwords, application credential secrets, tokens), and `secrecy` would add a
//! dependency (plus `zeroize`) to the workspace for a dozen lines. Memory zeroing is not a
//! goal here: the same secrets live in reqwest's request buffers anyway.

use std::fmt;

/// What [`Secret`] prints instead of its content.
pub const REDACTED: &str = "<redacted>";

/// A credential (password, secret, token). Formatting prints [`REDACTED`]; use
/// [`Secret::expose`] where the value really must be sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself: only for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the credential is the empty string (treated as "not set" by the loader).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s:#?}"), REDACTED);
        assert_eq!(s.expose(), "hunter2");
    }
}
