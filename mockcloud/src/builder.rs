//! `MockCloud::builder()`: configure, then `start()` on 127.0.0.1:0 (or
//! `into_router()` for in-memory use with tower's `oneshot`).

use crate::compute::pipeline::microversion::Version;
use crate::config::{Config, HostSpec, Lifecycle, Profile};
use crate::error::Error;
use crate::state::handle::{Shared, StateHandle};
use crate::state::seed::{Seed, SeededCredential};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Builder of a mock cloud.
#[derive(Debug, Clone, Default)]
pub struct MockCloudBuilder {
    config: Config,
    seed: Seed,
    bind: Option<SocketAddr>,
    error: Option<String>,
    /// A state document to start from, and where it came from (for the error message).
    initial_state: Option<(String, crate::state::snapshot::Snapshot)>,
    release_error: Option<nova_releases::ReleaseError>,
}

impl MockCloudBuilder {
    pub fn profile(mut self, p: Profile) -> Self {
        self.config.profile = p;
        self
    }

    /// Behave like Nova `series` (`"2025.1"`, `"epoxy"`, `"31.3.1"`): its max microversion
    /// and the facts the release table lists for it (the migrate policies and whether they
    /// are checked before the lookup, the `[oslo_policy]` defaults, a synchronous or
    /// asynchronous NoValidHost, the jsonschema wording). Call before
    /// [`microversions`](Self::microversions) to override the range. An unknown series makes
    /// `start` fail with [`Error::UnknownRelease`].
    pub fn nova_release(mut self, series: &str) -> Self {
        match nova_releases::ReleaseTable::bundled().get(series) {
            Ok(s) => self.nova_series(s),
            Err(e) => {
                self.release_error = Some(e);
                self
            }
        }
    }

    /// Behave like `series`, a series not necessarily of the bundled table (a table parsed
    /// elsewhere, or facts under test); sets its max microversion like
    /// [`nova_release`](Self::nova_release).
    pub fn nova_series(mut self, series: &'static nova_releases::Series) -> Self {
        self.config.release = series;
        self.config.max_version = Version::new(
            series.max_microversion.major as u16,
            series.max_microversion.minor as u16,
        );
        self
    }

    /// Minimum and maximum advertised microversion, e.g. `("2.1", "2.104")`.
    pub fn microversions(mut self, min: &str, max: &str) -> Self {
        match (Version::parse(min), Version::parse(max)) {
            (Some(a), Some(b)) if a <= b => {
                self.config.min_version = a;
                self.config.max_version = b;
            }
            _ => self.error = Some(format!("invalid microversion range {min}..{max}")),
        }
        self
    }

    /// Compute hosts with the default inventory.
    pub fn hosts<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.hosts = names.into_iter().map(HostSpec::new).collect();
        self
    }

    /// Compute hosts with explicit inventories.
    pub fn host_specs(mut self, specs: Vec<HostSpec>) -> Self {
        self.config.hosts = specs;
        self
    }

    pub fn lifecycle(mut self, l: Lifecycle) -> Self {
        self.config.lifecycle = l;
        self
    }

    /// Auto-confirm resizes after `window` (Nova's `resize_confirm_window`).
    pub fn resize_confirm_window(mut self, window: Duration) -> Self {
        self.config.resize_confirm_window = Some(window);
        self
    }

    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.config.max_body_bytes = n;
        self
    }

    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.config.token_ttl = ttl;
        self
    }

    /// Users, projects and hosts from a scenario (see [`crate::scenario`]).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Start from this state (`GET /mockcloud/state`'s document) instead of the seeded one:
    /// loaded before the mock listens, so no request ever sees the seeded state. `origin`
    /// names it in the error `start` returns when it is refused ([`Error::State`]).
    pub fn state(
        mut self,
        origin: impl Into<String>,
        doc: crate::state::snapshot::Snapshot,
    ) -> Self {
        self.initial_state = Some((origin.into(), doc));
        self
    }

    /// Listen address (default 127.0.0.1:0).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = Some(addr);
        self
    }

    fn shared(self) -> Result<(Arc<Shared>, Option<SocketAddr>), Error> {
        if let Some(e) = self.release_error {
            return Err(Error::UnknownRelease(e));
        }
        if let Some(e) = self.error {
            return Err(Error::Config(e));
        }
        let hosts_empty = self.config.hosts.is_empty() && self.seed.hosts.is_empty();
        if hosts_empty {
            return Err(Error::Config(
                "at least one compute host is required".into(),
            ));
        }
        let shared = Shared::new(self.config, self.seed);
        if let Some((origin, doc)) = self.initial_state {
            StateHandle::from_shared(Arc::clone(&shared))
                .load(&doc)
                .map_err(|source| Error::State { origin, source })?;
        }
        Ok((shared, self.bind))
    }

    /// The router of a fresh mock without a socket (for `tower::ServiceExt::oneshot`).
    /// Invalid settings fall back to the defaults.
    pub fn into_router(self) -> axum::Router {
        self.into_router_with_state().0
    }

    /// Like [`into_router`](Self::into_router), also returning the state handle.
    pub fn into_router_with_state(self) -> (axum::Router, StateHandle) {
        let shared = match self.shared() {
            Ok((s, _)) => s,
            Err(_) => Shared::new(Config::default(), Seed::default()),
        };
        (
            crate::router::build(Arc::clone(&shared)),
            StateHandle::from_shared(shared),
        )
    }

    /// Bind (127.0.0.1:0 unless [`bind`](Self::bind) was given) and serve.
    pub async fn start(self) -> Result<MockCloud, Error> {
        let (shared, bind) = self.shared()?;
        let addr = bind.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let router = crate::router::build(Arc::clone(&shared));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        let base = format!("http://{local}");
        let credentials = shared.state.lock().credentials.clone();
        Ok(MockCloud {
            addr: local,
            base,
            credentials,
            state: StateHandle::from_shared(shared),
            stop: Some(tx),
            task: Some(task),
        })
    }
}

/// A running mock cloud.
pub struct MockCloud {
    addr: SocketAddr,
    base: String,
    credentials: Vec<SeededCredential>,
    state: StateHandle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockCloud {
    /// A mock to configure, then [`start`](MockCloudBuilder::start) on 127.0.0.1:0.
    ///
    /// ```
    /// # let rt = tokio::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// use mockcloud::{Lifecycle, MockCloud, Profile};
    ///
    /// let cloud = MockCloud::builder()
    ///     .profile(Profile::Nova)
    ///     .microversions("2.1", "2.95")
    ///     .hosts(["compute1", "compute2"])
    ///     .lifecycle(Lifecycle::Instant)
    ///     .start()
    ///     .await
    ///     .unwrap();
    ///
    /// // Nova's version discovery needs no token; it advertises the configured maximum.
    /// let root: serde_json::Value = reqwest::get(format!("{}/", cloud.base_url()))
    ///     .await
    ///     .unwrap()
    ///     .json()
    ///     .await
    ///     .unwrap();
    /// let v21 = &root["versions"].as_array().unwrap()[1];
    /// assert_eq!((v21["id"].as_str(), v21["version"].as_str()), (Some("v2.1"), Some("2.95")));
    /// assert_eq!(cloud.state().read(|s| s.hosts.len()), 2);
    /// assert!(cloud.compute_url().ends_with("/v2.1"));
    /// cloud.shutdown().await;
    /// # });
    /// ```
    pub fn builder() -> MockCloudBuilder {
        MockCloudBuilder::default()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `http://127.0.0.1:PORT/identity/v3`
    pub fn auth_url(&self) -> String {
        format!("{}/identity/v3", self.base)
    }

    /// `http://127.0.0.1:PORT/v2.1`
    pub fn compute_url(&self) -> String {
        format!("{}/v2.1", self.base)
    }

    /// The seeded users (admin, manager, member, reader, other by default).
    pub fn credentials(&self) -> &[SeededCredential] {
        &self.credentials
    }

    /// One seeded credential by cloud name (`"admin"`, `"member"`, ...).
    pub fn credential(&self, cloud: &str) -> Option<&SeededCredential> {
        self.credentials.iter().find(|c| c.cloud == cloud)
    }

    /// clouds.yaml with `mockcloud-<cloud>` entries.
    pub fn clouds_yaml(&self) -> String {
        crate::clouds_yaml::render(&self.auth_url(), &self.credentials)
    }

    /// Read/modify the state (tests and the control API).
    pub fn state(&self) -> &StateHandle {
        &self.state
    }

    /// Stop serving and wait for the server task.
    pub async fn shutdown(mut self) {
        self.stop_now().await;
    }

    async fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for MockCloud {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
