//! `mockcloud bench`: requests/s of the mock (GET server, a 400 migrate) beside a
//! bare hyper "hello" server measured the same way in the same run, and the
//! resident memory of a mock holding N servers. Figures are printed, never asserted.

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mockcloud::{Lifecycle, MockCloud};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub duration: Duration,
    pub concurrency: usize,
    pub servers_for_memory: usize,
}

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub requests: u64,
    pub errors: u64,
    pub per_second: f64,
}

async fn bare_hello() -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let svc = service_fn(|_req| async {
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                        b"hello",
                    ))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Ok((addr, task))
}

/// Drive `concurrency` clients for `duration` against one request shape.
async fn load(
    name: &str,
    opts: &BenchOptions,
    build: Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>,
    expect: u16,
) -> Figure {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.concurrency)
        .build()
        .unwrap_or_default();
    let ok = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + opts.duration;
    let mut tasks = Vec::new();
    for _ in 0..opts.concurrency {
        let (client, build, ok, bad) = (
            client.clone(),
            Arc::clone(&build),
            Arc::clone(&ok),
            Arc::clone(&bad),
        );
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                match build(&client).send().await {
                    Ok(r) if r.status().as_u16() == expect => {
                        let _ = r.bytes().await;
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let secs = started.elapsed().as_secs_f64();
    let requests = ok.load(Ordering::Relaxed);
    Figure {
        name: name.to_string(),
        requests,
        errors: bad.load(Ordering::Relaxed),
        per_second: requests as f64 / secs,
    }
}

/// Resident set size of this process in KiB (Linux), if known.
pub fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Run the benchmark; returns the figures and the memory growth for N servers (KiB).
pub async fn run(opts: &BenchOptions) -> Result<(Vec<Figure>, Option<u64>), mockcloud::Error> {
    let cloud = MockCloud::builder()
        .lifecycle(Lifecycle::Instant)
        .start()
        .await?;
    let http = reqwest::Client::new();
    let c = cloud
        .credential("admin")
        .cloned()
        .ok_or_else(|| mockcloud::Error::Config("no admin".into()))?;
    let auth = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": c.username, "domain": {"name": c.user_domain}, "password": c.password}}}, "scope": {"project": {"name": c.project, "domain": {"name": c.project_domain}}}}});
    let token = http
        .post(format!("{}/auth/tokens", cloud.auth_url()))
        .json(&auth)
        .send()
        .await
        .ok()
        .and_then(|r| {
            r.headers()
                .get("x-subject-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .ok_or_else(|| mockcloud::Error::Config("cannot authenticate against the mock".into()))?;
    let body = serde_json::json!({"server": {"name": "bench", "flavorRef": "1", "imageRef": mockcloud::CIRROS_IMAGE_ID, "networks": "none"}});
    let created: serde_json::Value = http
        .post(format!("{}/servers", cloud.compute_url()))
        .header("x-auth-token", &token)
        .header("OpenStack-API-Version", "compute 2.74")
        .json(&body)
        .send()
        .await
        .map_err(|e| mockcloud::Error::Config(e.to_string()))?
        .json()
        .await
        .map_err(|e| mockcloud::Error::Config(e.to_string()))?;
    let id = created["server"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (hello, hello_task) = bare_hello()
        .await
        .map_err(|source| mockcloud::Error::Bind {
            addr: "127.0.0.1:0".into(),
            source,
        })?;

    let mut figures = Vec::new();
    let url = format!("http://{hello}/");
    figures.push(
        load(
            "bare hyper hello",
            opts,
            Arc::new(move |c: &reqwest::Client| c.get(&url)),
            200,
        )
        .await,
    );
    let (url, tok) = (
        format!("{}/servers/{id}", cloud.compute_url()),
        token.clone(),
    );
    figures.push(
        load(
            "mock GET /servers/{id} (2.104)",
            opts,
            Arc::new(move |c: &reqwest::Client| {
                c.get(&url)
                    .header("x-auth-token", &tok)
                    .header("OpenStack-API-Version", "compute 2.104")
            }),
            200,
        )
        .await,
    );
    let (url, tok) = (
        format!("{}/servers/{id}/action", cloud.compute_url()),
        token.clone(),
    );
    figures.push(
        load(
            "mock POST migrate -> 400 (bad host)",
            opts,
            Arc::new(move |c: &reqwest::Client| {
                c.post(&url)
                    .header("x-auth-token", &tok)
                    .header("OpenStack-API-Version", "compute 2.56")
                    .header("content-type", "application/json")
                    .body(r#"{"migrate": {"host": "bad host!"}}"#)
            }),
            400,
        )
        .await,
    );
    hello_task.abort();

    // Memory: N servers inserted straight into the state.
    let before = rss_kib();
    let now = cloud.state().clock().now();
    let template = cloud.state().read(|s| s.servers.values().next().cloned());
    if let Some(t) = template {
        cloud.state().write(|s| {
            for i in 0..opts.servers_for_memory {
                let mut srv = t.clone();
                srv.uuid = uuid::Uuid::new_v4();
                srv.name = format!("bench-{i}");
                srv.created_at = now;
                s.insert_server(srv);
            }
        });
    }
    let after = rss_kib();
    cloud.shutdown().await;
    Ok((figures, before.zip(after).map(|(b, a)| a.saturating_sub(b))))
}
