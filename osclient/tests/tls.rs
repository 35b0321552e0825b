//! TLS: verification on by default, the cloud's CA added to the roots, insecure only when asked,
//! client certificates. A tiny rustls server on 127.0.0.1 plays Keystone.

use std::path::PathBuf;
use std::sync::Arc;

use osclient::{CloudConfig, Error, RetryPolicy, Session, SessionOptions};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

fn pki(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

/// Serves Keystone token answers over TLS until the test ends. With `require_client_cert`, only
/// clients presenting a certificate signed by the test CA get through the handshake.
async fn tls_keystone(require_client_cert: bool) -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(pki("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(pki("server.key")).unwrap();
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let config = if require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(pki("ca.pem")).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        builder
            .with_client_cert_verifier(verifier)
            .with_single_cert(certs, key)
            .unwrap()
    } else {
        builder
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap()
    };
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                // Read the request head and body (Content-Length), then answer with a token.
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = tls.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(head_end) = text.find("\r\n\r\n") {
                        let len = text[..head_end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= head_end + 4 + len {
                            break;
                        }
                    }
                }
                let body = serde_json::json!({"token": {
                    "expires_at": "2999-01-01T00:00:00.000000Z",
                    "issued_at": "2026-01-01T00:00:00.000000Z",
                    "user": {"id": "u1", "name": "tlsuser"},
                    "project": {"id": "p1", "name": "demo"},
                    "roles": [{"name": "member"}],
                    "catalog": []
                }})
                .to_string();
                let resp = format!(
                    "HTTP/1.1 201 Created\r\nX-Subject-Token: gAAAA-tls\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://127.0.0.1:{port}/identity/v3")
}

fn cfg(auth_url: &str, extra: &str) -> CloudConfig {
    let yaml = format!(
        "clouds:\n  tls:\n    auth:\n      auth_url: {auth_url}\n      username: u\n      password: tls-test-pass\n      project_name: demo\n{extra}"
    );
    CloudConfig::from_clouds_yaml_str(&yaml, "tls").unwrap()
}

fn no_retry() -> SessionOptions {
    SessionOptions {
        auth_retry: RetryPolicy::none(),
        ..Default::default()
    }
}

#[tokio::test]
async fn unknown_ca_is_rejected_by_default() {
    let url = tls_keystone(false).await;
    let err = Session::connect_with(cfg(&url, ""), no_retry())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transfer { .. }), "{err:?}");
    assert!(err.to_string().contains("cloud 'tls'"), "{err}");

    // An unrelated CA does not help either.
    let extra = format!("    cacert: {}\n", pki("other-ca.pem").display());
    let err = Session::connect_with(cfg(&url, &extra), no_retry())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transfer { .. }), "{err:?}");
}

#[tokio::test]
async fn cacert_makes_the_server_trusted() {
    let url = tls_keystone(false).await;
    let extra = format!("    cacert: {}\n", pki("ca.pem").display());
    let session = Session::connect_with(cfg(&url, &extra), no_retry())
        .await
        .unwrap();
    assert_eq!(session.identity().user_name, "tlsuser");
}

#[tokio::test]
async fn insecure_only_when_asked() {
    let url = tls_keystone(false).await;
    for extra in ["    verify: false\n", "    insecure: true\n"] {
        let c = cfg(&url, extra);
        assert!(!c.verify);
        assert!(c.to_string().contains("TLS verification OFF"), "{c}");
        let session = Session::connect_with(c, no_retry()).await.unwrap();
        assert_eq!(session.identity().user_name, "tlsuser");
    }
    // A CLI's --insecure is the public field.
    let mut c = cfg(&url, "");
    c.verify = false;
    assert!(Session::connect_with(c, no_retry()).await.is_ok());
}

#[tokio::test]
async fn client_certificate_for_mutual_tls() {
    let url = tls_keystone(true).await;
    let ca = format!("    cacert: {}\n", pki("ca.pem").display());
    let err = Session::connect_with(cfg(&url, &ca), no_retry())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transfer { .. }),
        "without a client certificate: {err:?}"
    );

    let extra = format!(
        "{ca}    cert: {}\n    key: {}\n",
        pki("client.pem").display(),
        pki("client.key").display()
    );
    let session = Session::connect_with(cfg(&url, &extra), no_retry())
        .await
        .unwrap();
    assert_eq!(session.identity().user_name, "tlsuser");
}

#[tokio::test]
async fn unusable_tls_files_are_clear_errors() {
    let url = "https://127.0.0.1:1/v3";
    for (extra, needle) in [
        (
            "    cacert: /nonexistent/ca.pem\n".to_string(),
            "cannot read cacert /nonexistent/ca.pem",
        ),
        (
            format!("    cacert: {}\n", pki("README.md").display()),
            "holds no PEM certificate",
        ),
        (
            format!("    key: {}\n", pki("client.key").display()),
            "key is set but cert is not",
        ),
        (
            format!("    cert: {}\n", pki("client.pem").display()),
            "client certificate",
        ),
    ] {
        let err = Session::connect_with(cfg(url, &extra), no_retry())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Tls { .. }), "{extra}: {err:?}");
        let msg = err.to_string();
        assert!(msg.starts_with("cloud 'tls': TLS setup failed"), "{msg}");
        assert!(msg.contains(needle), "{extra}: {msg}");
    }
}
