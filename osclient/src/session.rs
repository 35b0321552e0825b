//! An authenticated Keystone v3 session: token (refreshed before expiry, safe to share between
//! tasks), catalog endpoints and the HTTP client to use with them.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::{Method, RequestBuilder};
use url::Url;

use crate::catalog::Catalog;
use crate::config::{CloudConfig, Interface};
use crate::error::Error;
use crate::identity::Identity;
use crate::keystone::{
    error_message, parse_token_response, token_request_body, tokens_url, IssuedToken,
};
use crate::retry::{Repeat, RetryPolicy};
use crate::secret::Secret;
use crate::tls::http_client;
use crate::transfer::{self, Limits, DEFAULT_TIMEOUT, MAX_BODY};

/// Tunables of a [`Session`].
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Re-authenticate this long before the token expires: 120 s by default, like
    /// keystoneauth's identity plugins (`MIN_TOKEN_LIFE_SECONDS`), so a token handed out is
    /// good for at least two more minutes of requests. Clamped to half the token's lifetime so
    /// that short-lived tokens are still reused.
    pub refresh_margin: Duration,
    /// Request timeout when the cloud has no `api_timeout` ([`DEFAULT_TIMEOUT`], 120 s, by
    /// default). It bounds each whole attempt, the answer's body included.
    pub timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Retries for the token request (`POST /v3/auth/tokens` is safe to repeat).
    pub auth_retry: RetryPolicy,
    /// Retries used by [`Session::send`] (idempotent methods only).
    pub retry: RetryPolicy,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            refresh_margin: Duration::from_secs(120),
            timeout: DEFAULT_TIMEOUT,
            user_agent: concat!("nova-conform-osclient/", env!("CARGO_PKG_VERSION")).to_owned(),
            auth_retry: RetryPolicy::default(),
            retry: RetryPolicy::default(),
        }
    }
}

/// An authenticated session with one cloud. Cheap to clone (shared state); all methods take
/// `&self` and may be called from many tasks at once: concurrent [`Session::token`] calls on an
/// expiring token trigger a single re-authentication.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    config: CloudConfig,
    options: SessionOptions,
    http: reqwest::Client,
    tokens_url: Url,
    identity: Identity,
    current: RwLock<Current>,
    /// Serialises re-authentication (single flight).
    refresh: tokio::sync::Mutex<()>,
    authentications: AtomicU64,
}

struct Current {
    token: Secret,
    /// Local monotonic deadline for reuse: immune to clock skew between us and Keystone.
    fresh_until: Instant,
    expires_at: DateTime<Utc>,
    catalog: Arc<Catalog>,
}

impl Session {
    /// Authenticates with default [`SessionOptions`].
    pub async fn connect(config: CloudConfig) -> Result<Session, Error> {
        Self::connect_with(config, SessionOptions::default()).await
    }

    /// Validates `config`, builds the HTTP client (TLS settings) and obtains the first token.
    pub async fn connect_with(
        config: CloudConfig,
        options: SessionOptions,
    ) -> Result<Session, Error> {
        config.validate()?;
        let tokens_url = tokens_url(&config.auth.auth_url).map_err(|e| Error::InvalidField {
            cloud: config.name.clone(),
            field: "auth.auth_url".into(),
            reason: e.to_string(),
        })?;
        let http = http_client(&config, Some(options.timeout), &options.user_agent)?;
        let issued = authenticate(&config, &options, &http, &tokens_url).await?;
        let identity = issued.identity.clone();
        let current = current_from(issued, options.refresh_margin);
        tracing::debug!(cloud = %config.name, user = %identity.user_name, "authenticated");
        Ok(Session {
            inner: Arc::new(Inner {
                config,
                options,
                http,
                tokens_url,
                identity,
                current: RwLock::new(current),
                refresh: tokio::sync::Mutex::new(()),
                authentications: AtomicU64::new(1),
            }),
        })
    }

    /// A valid token for `X-Auth-Token`, re-authenticating first if it expires within the
    /// refresh margin.
    pub async fn token(&self) -> Result<String, Error> {
        if let Some(t) = self.fresh_token() {
            return Ok(t);
        }
        let _guard = self.inner.refresh.lock().await;
        // Another task may have refreshed while we waited for the lock.
        if let Some(t) = self.fresh_token() {
            return Ok(t);
        }
        let i = &self.inner;
        let issued = authenticate(&i.config, &i.options, &i.http, &i.tokens_url).await?;
        i.authentications.fetch_add(1, Ordering::Relaxed);
        let current = current_from(issued, i.options.refresh_margin);
        let token = current.token.expose().to_owned();
        *self.write_current() = current;
        tracing::debug!(cloud = %i.config.name, "token refreshed");
        Ok(token)
    }

    /// Marks `token` as no longer valid (e.g. after a 401), so the next [`Session::token`]
    /// re-authenticates. Does nothing if the session already moved on to another token, so
    /// many tasks reporting the same 401 cause one re-authentication.
    pub fn invalidate(&self, token: &str) {
        let mut cur = self.write_current();
        if cur.token.expose() == token {
            cur.fresh_until = Instant::now();
        }
    }

    /// The URL of `service_type` (`compute`, `identity`, `image`, ...) for the configured
    /// interface and region: the `<type>_endpoint_override` if configured, else the catalog.
    pub fn endpoint(&self, service_type: &str) -> Result<Url, Error> {
        let cfg = &self.inner.config;
        self.endpoint_for(service_type, cfg.interface, cfg.region_name.as_deref())
    }

    /// Like [`Session::endpoint`] with an explicit interface and region (`None`: any region).
    pub fn endpoint_for(
        &self,
        service_type: &str,
        interface: Interface,
        region: Option<&str>,
    ) -> Result<Url, Error> {
        let cfg = &self.inner.config;
        let key = service_type.replace('_', "-");
        let found = match cfg.endpoint_overrides.get(&key) {
            Some(url) => Some(url.clone()),
            None => self
                .catalog()
                .find(service_type, interface, region)
                .map(str::to_owned)
                // A catalog without identity (some deployments hide it) still has Keystone at
                // the auth URL; like the catalog entry, without the version suffix.
                .or_else(|| {
                    (key == "identity").then(|| identity_from_auth_url(&cfg.auth.auth_url))
                }),
        };
        let Some(raw) = found else {
            return Err(Error::EndpointNotFound {
                cloud: cfg.name.clone(),
                service_type: service_type.to_owned(),
                interface: interface.to_string(),
                region: region
                    .map(|r| format!(" in region '{r}'"))
                    .unwrap_or_default(),
                available: {
                    let id = &self.inner.identity;
                    let catalog = self.catalog();
                    if catalog.services.is_empty()
                        && id.project_id.is_none()
                        && id.domain_id.is_none()
                        && !id.system_scope
                    {
                        "(empty catalog: the token is unscoped; set auth.project_name or \
                         auth.project_id, or OS_PROJECT_NAME / OS_PROJECT_ID)"
                            .to_owned()
                    } else {
                        catalog.describe()
                    }
                },
            });
        };
        Url::parse(&raw).map_err(|e| Error::InvalidField {
            cloud: cfg.name.clone(),
            field: format!("catalog endpoint of {service_type}"),
            reason: format!("'{raw}' is not a URL: {e}"),
        })
    }

    /// The identity the token was issued to: user, scope, roles.
    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    /// The HTTP client to call the cloud's APIs with (same TLS settings as the session).
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The bounds of every request to this cloud: its `api_timeout` (else
    /// [`SessionOptions::timeout`]) for each whole attempt, and answers of at most
    /// [`MAX_BODY`] bytes.
    pub fn limits(&self) -> Limits {
        limits(&self.inner.config, &self.inner.options)
    }

    /// A request to `url` with a valid `X-Auth-Token` already set.
    pub async fn request(&self, method: Method, url: Url) -> Result<RequestBuilder, Error> {
        let token = self.token().await?;
        Ok(self
            .inner
            .http
            .request(method, url)
            .header("X-Auth-Token", token))
    }

    /// Sends `request` (built from [`Session::http`], without a token) with a valid
    /// `X-Auth-Token`, retrying per [`SessionOptions::retry`] (idempotent methods only, see
    /// [`RetryPolicy`]). On a 401 the token is dropped and the request sent once more with a new
    /// one, whatever its method: Keystone middleware rejects the request before Nova sees it, so
    /// repeating it cannot act twice. Any other answer, 4xx and 5xx included, is returned as is.
    ///
    /// A request whose body cannot be cloned (a stream) is sent once, without either retry.
    pub async fn send(&self, request: RequestBuilder) -> Result<reqwest::Response, Error> {
        let spare = request.try_clone();
        let token = self.token().await?;
        let resp = self.send_once(request, &token).await?;
        if resp.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        let Some(again) = spare else {
            return Ok(resp);
        };
        tracing::debug!(cloud = %self.inner.config.name, url = %resp.url(), "401: re-authenticating once");
        self.invalidate(&token);
        let token = self.token().await?;
        self.send_once(again, &token).await
    }

    async fn send_once(
        &self,
        request: RequestBuilder,
        token: &str,
    ) -> Result<reqwest::Response, Error> {
        let request = request.header("X-Auth-Token", token);
        self.inner
            .options
            .retry
            .send(request)
            .await
            .map_err(|source| Error::Http {
                cloud: self.inner.config.name.clone(),
                url: source.url().map(|u| u.to_string()).unwrap_or_default(),
                source,
            })
    }

    /// The configuration the session was made from (secrets redacted in `Debug`).
    pub fn config(&self) -> &CloudConfig {
        &self.inner.config
    }

    /// The catalog of the current token.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.read_current().catalog.clone()
    }

    /// When the current token expires, as Keystone said.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.read_current().expires_at
    }

    /// How many times this session authenticated (1 after connect): for tests and diagnostics.
    pub fn authentications(&self) -> u64 {
        self.inner.authentications.load(Ordering::Relaxed)
    }

    fn fresh_token(&self) -> Option<String> {
        let cur = self.read_current();
        (Instant::now() < cur.fresh_until).then(|| cur.token.expose().to_owned())
    }

    // A poisoned lock only means another task panicked mid-assignment of a plain struct:
    // the value is still whole, so keep going rather than propagate the panic.
    fn read_current(&self) -> std::sync::RwLockReadGuard<'_, Current> {
        self.inner.current.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_current(&self) -> std::sync::RwLockWriteGuard<'_, Current> {
        self.inner
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner())
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("cloud", &self.inner.config.name)
            .field("user", &self.inner.identity.user_name)
            .field("project", &self.inner.identity.project_name)
            .field("token", &crate::secret::REDACTED)
            .field("expires_at", &self.expires_at())
            .finish()
    }
}

/// When to stop reusing a token: its lifetime (from `issued_at` when Keystone gives it, else
/// from our clock) minus the margin, the margin clamped to half the lifetime.
fn current_from(issued: IssuedToken, margin: Duration) -> Current {
    let reuse = reuse_window(issued.issued_at, issued.expires_at, Utc::now(), margin);
    Current {
        token: issued.token,
        fresh_until: Instant::now() + reuse,
        expires_at: issued.expires_at,
        catalog: Arc::new(issued.catalog),
    }
}

fn identity_from_auth_url(auth_url: &str) -> String {
    let t = auth_url.trim().trim_end_matches('/');
    t.strip_suffix("/v3").unwrap_or(t).to_owned()
}

/// How long a token just received may be reused.
fn reuse_window(
    issued_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    margin: Duration,
) -> Duration {
    let start = issued_at.filter(|t| *t <= expires_at).unwrap_or(now);
    let lifetime = (expires_at - start).to_std().unwrap_or(Duration::ZERO);
    lifetime - margin.min(lifetime / 2)
}

fn limits(cfg: &CloudConfig, options: &SessionOptions) -> Limits {
    Limits {
        timeout: cfg.api_timeout.unwrap_or(options.timeout),
        // Real catalogs are tens of kilobytes; a misconfigured auth_url pointing at a file
        // server must not fill memory.
        max_body: MAX_BODY,
    }
}

async fn authenticate(
    cfg: &CloudConfig,
    options: &SessionOptions,
    http: &reqwest::Client,
    url: &Url,
) -> Result<IssuedToken, Error> {
    let method = cfg.auth_type.method();
    let request = http
        .post(url.clone())
        .json(&token_request_body(cfg))
        .build()
        .map_err(|source| Error::Http {
            cloud: cfg.name.clone(),
            url: url.to_string(),
            source,
        })?;
    // POST /v3/auth/tokens is safe to repeat (an extra token has no effect): retried as an
    // idempotent request.
    let answer = transfer::execute(
        http,
        request,
        Repeat::Idempotent,
        &options.auth_retry,
        &limits(cfg, options),
        None,
    )
    .await
    .map_err(|source| Error::Transfer {
        cloud: cfg.name.clone(),
        source: Box::new(source),
    })?;
    let status = answer.status;
    let subject = answer
        .headers
        .get("X-Subject-Token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = answer.body;
    if !status.is_success() {
        return Err(Error::AuthRejected {
            cloud: cfg.name.clone(),
            url: url.to_string(),
            method,
            status: status.as_u16(),
            message: match status.as_u16() {
                // Usually a wrong auth_url (pointing at something that is not Keystone v3),
                // except for token auth where Keystone says the given token is unknown.
                404 if cfg.auth_type != crate::config::AuthType::Token => format!(
                    "{} (is auth_url '{}' the Keystone endpoint?)",
                    error_message(&body),
                    cfg.auth.auth_url
                ),
                _ => error_message(&body),
            },
        });
    }
    parse_token_response(subject.as_deref(), &body).map_err(|reason| Error::BadTokenResponse {
        cloud: cfg.name.clone(),
        url: url.to_string(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn reuse_window_subtracts_the_margin_clamped_to_half_the_lifetime() {
        let m = Duration::from_secs(60);
        // One hour token: reused for 59 minutes.
        assert_eq!(
            reuse_window(Some(at(0)), at(3600), at(0), m),
            Duration::from_secs(3540)
        );
        assert_eq!(
            reuse_window(
                Some(at(0)),
                at(3600),
                at(0),
                SessionOptions::default().refresh_margin
            ),
            Duration::from_secs(3480)
        );
        // Our clock far off Keystone's: the lifetime still comes from issued_at.
        assert_eq!(
            reuse_window(Some(at(0)), at(3600), at(99_999), m),
            Duration::from_secs(3540)
        );
        // Short token: half its lifetime.
        assert_eq!(
            reuse_window(Some(at(0)), at(10), at(0), m),
            Duration::from_secs(5)
        );
        // No issued_at: from our clock; already expired: zero.
        assert_eq!(
            reuse_window(None, at(600), at(0), m),
            Duration::from_secs(540)
        );
        assert_eq!(reuse_window(None, at(0), at(600), m), Duration::ZERO);
        // issued_at after expires_at (nonsense) falls back to our clock.
        assert_eq!(
            reuse_window(Some(at(700)), at(600), at(0), m),
            Duration::from_secs(540)
        );
    }
}
