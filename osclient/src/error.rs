//! Errors of the configuration loader and the Keystone session.
//!
//! Every message names the cloud it is about and, for configuration problems, the missing or
//! bad field (with the `OS_*` variable that sets it). No variant ever carries a password,
//! secret or token: they are only held as [`crate::Secret`].

use std::path::PathBuf;

/// Everything that can go wrong loading a cloud or talking to Keystone.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A cloud was named (argument or `OS_CLOUD`) but no loaded file defines it.
    #[error("cloud '{cloud}' not found in clouds.yaml (searched: {searched}; read: {read}; clouds defined: {available})")]
    CloudNotFound {
        /// The cloud asked for.
        cloud: String,
        /// The files looked at, in order (`dir/clouds.{yaml,yml,json}`), or `(none)`.
        searched: String,
        /// The files actually read (first clouds.* and secure.* found), or `(none)`.
        read: String,
        /// The clouds that are defined, or `(none)`.
        available: String,
    },

    /// No cloud was named and none could be chosen (no `OS_CLOUD`, no `OS_*` variables, and
    /// zero or several clouds in clouds.yaml).
    #[error("no cloud selected: pass --os-cloud or set OS_CLOUD (or OS_AUTH_URL etc.) (searched: {searched}; read: {read}; clouds defined: {available})")]
    NoCloudSelected {
        /// The files looked at, in order.
        searched: String,
        /// The files actually read, or `(none)`.
        read: String,
        /// The clouds that are defined, or `(none)`.
        available: String,
    },

    /// A field needed for the chosen auth type is missing.
    #[error("cloud '{cloud}': missing {field} ({hint})")]
    MissingField {
        /// The cloud being loaded.
        cloud: String,
        /// The clouds.yaml key, e.g. `auth.auth_url`.
        field: &'static str,
        /// Where it can be set, e.g. `auth.auth_url in clouds.yaml or OS_AUTH_URL`.
        hint: &'static str,
    },

    /// A field has a value that cannot be used.
    #[error("cloud '{cloud}': invalid {field}: {reason}")]
    InvalidField {
        /// The cloud being loaded.
        cloud: String,
        /// The clouds.yaml key.
        field: String,
        /// Why it is invalid (never the value of a secret field).
        reason: String,
    },

    /// Two sources define the same cloud name in conflicting ways.
    #[error("{0}")]
    Conflict(String),

    /// A configuration file exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// A configuration file or string is not valid YAML/JSON of the expected shape.
    #[error("cannot parse {origin}: {reason}")]
    ConfigParse {
        /// The file path, or `clouds.yaml string`.
        origin: String,
        /// What is wrong.
        reason: String,
    },

    /// The TLS settings (CA bundle, client certificate) cannot be used.
    #[error("cloud '{cloud}': TLS setup failed: {reason}")]
    Tls {
        /// The cloud being connected.
        cloud: String,
        /// What is wrong (file and cause).
        reason: String,
    },

    /// Keystone answered the token request with an error (wrong password, unknown project...).
    #[error("cloud '{cloud}': Keystone at {url} rejected the {method} authentication (HTTP {status}): {message}")]
    AuthRejected {
        /// The cloud being connected.
        cloud: String,
        /// The token URL.
        url: String,
        /// The auth method used (`password`, `application_credential`, `token`).
        method: &'static str,
        /// The HTTP status.
        status: u16,
        /// Keystone's error message (truncated).
        message: String,
    },

    /// An HTTP request failed before an answer arrived (refused, reset, TLS, timeout).
    #[error(
        "cloud '{cloud}': request to {url} failed: {}",
        describe_transport(source)
    )]
    Http {
        /// The cloud being connected.
        cloud: String,
        /// The URL requested.
        url: String,
        /// The transport error.
        source: reqwest::Error,
    },

    /// No whole answer from Keystone: cannot connect, timed out, connection broken, or an
    /// answer over the size cap (the message says what came back).
    #[error("cloud '{cloud}': {source}")]
    Transfer {
        /// The cloud being connected.
        cloud: String,
        /// What happened on the wire.
        #[source]
        source: Box<crate::transfer::TransferError>,
    },

    /// Keystone answered 2xx but the answer is not a usable v3 token.
    #[error("cloud '{cloud}': unusable Keystone token response from {url}: {reason}")]
    BadTokenResponse {
        /// The cloud being connected.
        cloud: String,
        /// The token URL.
        url: String,
        /// What is missing or malformed.
        reason: String,
    },

    /// The catalog has no endpoint for the service type with the configured interface/region.
    #[error("cloud '{cloud}': no '{service_type}' endpoint in the catalog for interface '{interface}'{region}; catalog has: {available}")]
    EndpointNotFound {
        /// The cloud.
        cloud: String,
        /// The service type asked for, e.g. `compute`.
        service_type: String,
        /// The interface asked for.
        interface: String,
        /// ` in region 'X'` or empty.
        region: String,
        /// What the catalog offers (type/interface/region), or `(empty catalog)`.
        available: String,
    },
}

impl Error {
    /// True when the failure is Keystone refusing the credentials (HTTP 401/403), as opposed to
    /// an unreachable endpoint or a bad configuration.
    pub fn is_auth_rejected(&self) -> bool {
        matches!(
            self,
            Error::AuthRejected {
                status: 401 | 403,
                ..
            }
        )
    }
}

/// What went wrong on the wire, with the innermost cause: reqwest's own Display is only
/// "error sending request for url (...)", which hides "Connection refused" or
/// "invalid peer certificate: UnknownIssuer".
fn describe_transport(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else if err.is_body() || err.is_decode() {
        "bad response body"
    } else {
        "transport error"
    };
    let mut root: &dyn std::error::Error = err;
    while let Some(next) = root.source() {
        root = next;
    }
    if std::ptr::addr_eq(root, err as &dyn std::error::Error) {
        kind.to_owned()
    } else {
        format!("{kind}: {root}")
    }
}

/// Joins a list for an error message, `(none)` when empty.
pub(crate) fn list_or_none<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let v: Vec<String> = items.into_iter().map(|s| s.as_ref().to_owned()).collect();
    if v.is_empty() {
        "(none)".to_owned()
    } else {
        v.join(", ")
    }
}
