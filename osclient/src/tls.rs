//! The HTTP client of a session: rustls, the cloud's CA bundle added to the built-in roots,
//! optional client certificate, verification on unless the configuration turns it off.

use std::time::Duration;

use crate::config::CloudConfig;
use crate::error::Error;

/// Builds the `reqwest::Client` for `cfg`. `timeout` applies when the cloud has no
/// `api_timeout`.
pub(crate) fn http_client(
    cfg: &CloudConfig,
    timeout: Option<Duration>,
    user_agent: &str,
) -> Result<reqwest::Client, Error> {
    let tls_err = |reason: String| Error::Tls {
        cloud: cfg.name.clone(),
        reason,
    };
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(user_agent)
        .connect_timeout(Duration::from_secs(30));
    // HTTP(S)_PROXY from the environment applies to real clouds (as with python-requests), but
    // a cloud on the loopback interface (the embedded mock, `mockcloud serve`, the upstream-nova
    // launcher) is never reachable through a proxy: a lab's proxy settings must not break it.
    if is_loopback(&cfg.auth.auth_url) {
        builder = builder.no_proxy();
    }
    if let Some(t) = cfg.api_timeout.or(timeout) {
        builder = builder.timeout(t);
    }
    if let Some(path) = &cfg.cacert {
        let pem = std::fs::read(path)
            .map_err(|e| tls_err(format!("cannot read cacert {}: {e}", path.display())))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            tls_err(format!(
                "cacert {} is not a PEM bundle: {e}",
                path.display()
            ))
        })?;
        if certs.is_empty() {
            return Err(tls_err(format!(
                "cacert {} holds no PEM certificate",
                path.display()
            )));
        }
        for c in certs {
            builder = builder.add_root_certificate(c);
        }
    }
    if let Some(cert) = &cfg.cert {
        let mut pem = std::fs::read(cert)
            .map_err(|e| tls_err(format!("cannot read cert {}: {e}", cert.display())))?;
        if let Some(key) = &cfg.key {
            let key_pem = std::fs::read(key)
                .map_err(|e| tls_err(format!("cannot read key {}: {e}", key.display())))?;
            pem.push(b'\n');
            pem.extend_from_slice(&key_pem);
        }
        let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
            tls_err(format!(
                "client certificate {} (with its key) is not usable PEM: {e}",
                cert.display()
            ))
        })?;
        builder = builder.identity(identity);
    } else if cfg.key.is_some() {
        return Err(tls_err("key is set but cert is not".into()));
    }
    if !cfg.verify {
        tracing::warn!(cloud = %cfg.name, "TLS certificate verification is disabled for this cloud");
        builder = builder.danger_accept_invalid_certs(true);
    }
    builder
        .build()
        .map_err(|e| tls_err(format!("cannot build the HTTP client: {e}")))
}

/// Whether the URL's host is a loopback address or `localhost`.
pub(crate) fn is_loopback(url: &str) -> bool {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:5000/v3"));
        assert!(is_loopback("http://127.8.9.10/identity"));
        assert!(is_loopback("http://[::1]:80/"));
        assert!(is_loopback("https://LOCALHOST/v3"));
        assert!(!is_loopback("https://keystone.example.test/v3"));
        assert!(!is_loopback("http://10.0.0.1/v3"));
        assert!(!is_loopback("not a url"));
    }
}
