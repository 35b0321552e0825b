//! `nova-conform run` (the binary) against deliberately broken endpoints: a Keystone that
//! issues tokens whose catalog points at a compute endpoint that misbehaves (raw sockets on
//! 127.0.0.1:0: accepts and never answers, a byte a second, a 200 MB body, an HTML page, a
//! 500), and `mockcloud serve` with injected 503s, a 502 on the migrate request and a 500 on a
//! setup request. Each run must end within a bounded time with the exit code of a target
//! error and a message naming what came back; request counts are exact (what is retried and
//! what is not).
use test_support::mock_serve;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mock_serve::{read_json, text, MockServe};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PASSWORD: &str = "s3cret-broken";
const TOKEN: &str = "gAAAA-broken-token";

/// What the compute endpoint does with every request.
#[derive(Clone, Copy, Debug)]
enum Misbehaviour {
    /// Reads the request and never answers (holds the connection until the client leaves).
    Silent,
    /// A 200 head with `Content-Length: 1000`, then one byte of the body a second.
    Trickle,
    /// A 200 chunked body of 200 MB, streamed from one 64 KiB buffer.
    Huge,
    /// A web server's welcome page.
    Html,
    /// Nova's 500.
    ServerError,
}

const HUGE: u64 = 200 << 20;

struct Broken {
    dir: PathBuf,
    compute_url: String,
    /// Requests the compute endpoint received.
    requests: Arc<AtomicUsize>,
    /// Body bytes the compute endpoint managed to write.
    sent: Arc<AtomicU64>,
}

impl Drop for Broken {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Reads one request (head and a `Content-Length` body); its request line, `None` at EOF.
async fn read_request(s: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut have = buf.len() - head_end;
    while have < length {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        have += n;
    }
    head.lines().next().map(str::to_owned)
}

async fn keystone(mut s: TcpStream, compute_url: String) {
    if read_request(&mut s).await.is_none() {
        return;
    }
    let body = json!({"token": {
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "methods": ["password"],
        "user": {"id": "u1", "name": "admin", "domain": {"id": "default", "name": "Default"}},
        "project": {"id": "p1", "name": "admin", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "admin"}],
        "catalog": [{"type": "compute", "name": "nova", "id": "c1", "endpoints": [
            {"id": "e1", "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
             "url": compute_url}]}]
    }})
    .to_string();
    let head = format!(
        "HTTP/1.1 201 Created\r\nX-Subject-Token: {TOKEN}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(body.as_bytes()).await;
}

async fn compute(
    mut s: TcpStream,
    how: Misbehaviour,
    requests: Arc<AtomicUsize>,
    sent: Arc<AtomicU64>,
) {
    // One request per connection: every answer closes it (or never ends).
    if read_request(&mut s).await.is_none() {
        return;
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let close = |status: &str, ct: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    match how {
        Misbehaviour::Silent => {
            // Until the client gives up and closes.
            let mut sink = [0u8; 1024];
            while matches!(s.read(&mut sink).await, Ok(n) if n > 0) {}
        }
        Misbehaviour::Trickle => {
            let doc = br#"{"version": {"id": "v2.1", "status": "CURRENT", "min_version": "2.1", "version": "2.90"}}"#;
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for b in doc.iter().chain(std::iter::repeat(&b' ')).take(1000) {
                if s.write_all(&[*b]).await.is_err() {
                    return;
                }
                sent.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Misbehaviour::Huge => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let data = vec![b'a'; 64 << 10];
            let frame = [
                format!("{:x}\r\n", data.len()).into_bytes(),
                data,
                b"\r\n".to_vec(),
            ]
            .concat();
            while sent.load(Ordering::SeqCst) < HUGE {
                if s.write_all(&frame).await.is_err() {
                    return;
                }
                sent.fetch_add(64 << 10, Ordering::SeqCst);
            }
            let _ = s.write_all(b"0\r\n\r\n").await;
        }
        Misbehaviour::Html => {
            let page = "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>It works</body></html>";
            let _ = s
                .write_all(close("200 OK", "text/html", page).as_bytes())
                .await;
        }
        Misbehaviour::ServerError => {
            let fault = r#"{"computeFault": {"code": 500, "message": "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/"}}"#;
            let _ = s
                .write_all(close("500 Internal Server Error", "application/json", fault).as_bytes())
                .await;
        }
    }
}

async fn start(how: Misbehaviour, api_timeout: u32) -> Broken {
    let ks = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let cs = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let compute_url = format!("http://{}/v2.1", cs.local_addr().unwrap());
    let auth_url = format!("http://{}/v3", ks.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let url = compute_url.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = ks.accept().await {
            tokio::spawn(keystone(s, url.clone()));
        }
    });
    let (r, b) = (requests.clone(), sent.clone());
    tokio::spawn(async move {
        while let Ok((s, _)) = cs.accept().await {
            tokio::spawn(compute(s, how, r.clone(), b.clone()));
        }
    });
    let dir = std::env::temp_dir().join(format!(
        "nc-broken-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("clouds.yaml"),
        format!(
            "clouds:\n  broken:\n    api_timeout: {api_timeout}\n    auth:\n      auth_url: {auth_url}\n      \
             username: admin\n      password: {PASSWORD}\n      project_name: admin\n      \
             user_domain_id: default\n      project_domain_id: default\n    region_name: RegionOne\n"
        ),
    )
    .unwrap();
    Broken {
        dir,
        compute_url,
        requests,
        sent,
    }
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// `nova-conform run --os-cloud <cloud>` with `clouds_yaml` and no other OpenStack environment.
async fn run(clouds_yaml: &std::path::Path, cloud: &str, extra: &[&str]) -> Ran {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_nova-conform"));
    for (k, _) in std::env::vars() {
        if k.starts_with("OS_") {
            c.env_remove(k);
        }
    }
    c.env("OS_CLIENT_CONFIG_FILE", clouds_yaml)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .current_dir(clouds_yaml.parent().unwrap())
        .args(["run", "--os-cloud", cloud])
        .args(extra)
        .kill_on_drop(true);
    let t0 = Instant::now();
    let out = tokio::time::timeout(Duration::from_secs(90), c.output())
        .await
        .expect("nova-conform ended within 90 s")
        .unwrap();
    Ran {
        code: out.status.code(),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
        took: t0.elapsed(),
    }
}

async fn run_broken(how: Misbehaviour, api_timeout: u32) -> (Broken, Ran) {
    let b = start(how, api_timeout).await;
    let r = run(&b.dir.join("clouds.yaml"), "broken", &[]).await;
    // Never a credential in what is printed.
    for secret in [PASSWORD, TOKEN] {
        assert!(
            !r.stderr.contains(secret) && !r.stdout.contains(secret),
            "{}",
            r.stderr
        );
    }
    (b, r)
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_never_answers_is_retried_within_bounds_and_said() {
    let (b, r) = run_broken(Misbehaviour::Silent, 3).await;
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    let url = &b.compute_url;
    assert_eq!(
        last_line(&r.stderr),
        format!(
            "nova-conform: target: version discovery: GET {url}: no whole answer within 3 s \
             (api_timeout): no answer (after 4 attempts)"
        )
    );
    // Said while it waits, once per attempt, and before each retry.
    let waiting = format!("nova-conform: waiting for GET {url} (api_timeout 3 s)");
    assert_eq!(r.stderr.matches(&waiting).count(), 4, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "GET {url}: no whole answer within 3 s (no answer); retrying in 0.5 s (1 of 3)"
        )),
        "{}",
        r.stderr
    );
    // GET is idempotent: 1 attempt + 3 retries, then it stops (4 x 3 s + 3.5 s of waits).
    assert_eq!(b.requests.load(Ordering::SeqCst), 4);
    assert!(r.took < Duration::from_secs(40), "{:?}", r.took);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_a_second_is_cut_off_at_the_api_timeout_body_included() {
    let (b, r) = run_broken(Misbehaviour::Trickle, 1).await;
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    let line = last_line(&r.stderr);
    assert!(
        line.starts_with(&format!(
            "nova-conform: target: version discovery: GET {}: no whole answer within 1 s \
             (api_timeout): HTTP 200 OK, application/json, ",
            b.compute_url
        )) && line.contains(" bytes of the body: \"{")
            && line.ends_with("(after 4 attempts)"),
        "{line}"
    );
    assert_eq!(b.requests.load(Ordering::SeqCst), 4);
    // Each attempt got at most a byte or two before its second was up, plus at most one byte
    // the trickler wrote into the closed connection before it saw the reset (9 was seen on a
    // loaded machine): 3 an attempt, far from the body's whole length.
    assert!(
        b.sent.load(Ordering::SeqCst) <= 12,
        "{}",
        b.sent.load(Ordering::SeqCst)
    );
    assert!(r.took < Duration::from_secs(30), "{:?}", r.took);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mb_answer_stops_at_the_cap_and_is_not_retried() {
    let (b, r) = run_broken(Misbehaviour::Huge, 5).await;
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    let line = last_line(&r.stderr);
    let want = format!(
        "nova-conform: target: version discovery: GET {}: answer larger than the 16 MiB cap \
         (HTTP 200 OK, application/json, no Content-Length): \"aaaa",
        b.compute_url
    );
    assert!(line.starts_with(&want), "{line}");
    assert_eq!(
        b.requests.load(Ordering::SeqCst),
        1,
        "the same answer would come again"
    );
    // Reading stopped at the cap: far less than the 200 MB were ever written.
    let sent = b.sent.load(Ordering::SeqCst);
    assert!(sent < HUGE / 4, "{sent} bytes written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_page_is_quoted_as_not_a_version_document() {
    let (b, r) = run_broken(Misbehaviour::Html, 2).await;
    assert_eq!(
        r.code,
        Some(2),
        "configuration: the catalog points at a web server\n{}",
        r.stderr
    );
    assert_eq!(
        last_line(&r.stderr),
        "nova-conform: target: version discovery: GET /v2.1 is not JSON: HTTP 200 OK, text/html, \
         94 bytes: \"<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>It \
         works</body></html>\""
    );
    assert_eq!(b.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_on_discovery_is_not_retried_and_is_quoted() {
    let (b, r) = run_broken(Misbehaviour::ServerError, 2).await;
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    let line = last_line(&r.stderr);
    assert!(
        line.starts_with(
            "nova-conform: target: version discovery: GET /v2.1 answered: HTTP 500 Internal \
             Server Error, application/json, 121 bytes: \"{\\\"computeFault\\\": {\\\"code\\\": 500, \
             \\\"message\\\": \\\"Unexpected API Error."
        ),
        "{line}"
    );
    assert_eq!(
        b.requests.load(Ordering::SeqCst),
        1,
        "a 500 is never retried"
    );
}

/// `mockcloud serve` whose clouds have `api_timeout: 2`.
fn mock_with_timeout() -> MockServe {
    let m = MockServe::start(&["--step-ms", "50", "--hosts", "compute1,compute2,compute3"]);
    let yaml = std::fs::read_to_string(&m.clouds_yaml).unwrap();
    let mut out = String::new();
    for line in yaml.lines() {
        out.push_str(line);
        out.push('\n');
        if let Some(key) = line.find("region_name:") {
            out.push_str(&format!("{}api_timeout: 2\n", &line[..key]));
        }
    }
    assert_eq!(
        out.matches("api_timeout: 2").count(),
        5,
        "one per cloud: {out}"
    );
    std::fs::write(&m.clouds_yaml, out).unwrap();
    m
}

/// The one case of the migrate request at 2.56 naming another host, as admin, modern header.
const ONE_CASE: &str = "mv=2.56 role=admin pre=active host=other force=absent header=modern";

async fn fired(m: &MockServe) -> Vec<u64> {
    m.http_get_json("/mockcloud/faults").await["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fired"].as_u64().unwrap())
        .collect()
}

fn args(report: &str) -> Vec<&str> {
    vec![
        "--filter",
        ONE_CASE,
        "--poll-interval",
        "0.05",
        "--wait-timeout",
        "20",
        "--json",
        report,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_then_200_on_discovery_is_retried_and_the_run_passes() {
    let m = mock_with_timeout();
    m.fault(json!({"method": "GET", "path": "/v2.1", "status": 503,
        "body": {"serviceUnavailable": {"code": 503, "message": "restarting"}}, "times": 2}))
        .await;
    let report = m.dir.join("report.json");
    let r = run(
        &m.clouds_yaml,
        "mockcloud-admin",
        &args(report.to_str().unwrap()),
    )
    .await;
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(fired(&m).await, [2]);
    assert!(
        r.stderr.contains(&format!(
            "nova-conform: GET {}/v2.1: HTTP 503 Service Unavailable; retrying in 0.5 s (1 of 3)",
            m.base
        )),
        "{}",
        r.stderr
    );
    assert_eq!(
        read_json(&report)["runs"][0]["results"][0]["verdict"],
        "pass"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_502_on_the_migrate_request_is_an_error_and_never_resent() {
    let m = mock_with_timeout();
    m.fault(
        json!({"method": "POST", "path": "/v2.1/servers/*/action", "action": "migrate",
        "microversion": "2.56", "status": 502,
        "body": {"badGateway": {"code": 502, "message": "proxy"}}}),
    )
    .await;
    let report = m.dir.join("report.json");
    let r = run(
        &m.clouds_yaml,
        "mockcloud-admin",
        &args(report.to_str().unwrap()),
    )
    .await;
    assert_eq!(r.code, Some(3), "{}\n{}", r.stdout, r.stderr);
    // Exactly one migrate POST reached the endpoint: the request under test is sent once.
    assert_eq!(fired(&m).await, [1]);
    let res = &read_json(&report)["runs"][0]["results"][0];
    assert_eq!(res["verdict"], "error");
    assert_eq!(res["reason"], "unexpected 502 from the migrate request");
    assert_eq!(res["exchange"]["response"]["status"], 502);
    m.clear_faults().await;
    assert!(m.suite_servers().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_or_502_on_a_setup_request_is_the_cases_error_with_its_exchange() {
    // A setup POST is sent again only if nothing was sent: never after an answer, a 502
    // included (it may have been the proxy's answer to a create Nova did make).
    for (status, fault) in [(500, "computeFault"), (502, "badGateway")] {
        let m = mock_with_timeout();
        m.fault(
            json!({"method": "POST", "path": "/v2.1/servers", "status": status,
            "body": {fault: {"code": status, "message": "injected create failure"}}}),
        )
        .await;
        let report = m.dir.join("report.json");
        let r = run(
            &m.clouds_yaml,
            "mockcloud-admin",
            &args(report.to_str().unwrap()),
        )
        .await;
        assert_eq!(r.code, Some(3), "{}\n{}", r.stdout, r.stderr);
        assert_eq!(fired(&m).await, [1], "{status}");
        let res = &read_json(&report)["runs"][0]["results"][0];
        assert_eq!(res["verdict"], "error");
        assert_eq!(
            res["reason"],
            format!("create server: HTTP {status}: injected create failure")
        );
        let x = &res["exchange"];
        assert_eq!(x["request"]["method"], "POST");
        assert_eq!(x["request"]["path"], "/v2.1/servers");
        assert_eq!(x["response"]["status"], status);
        assert!(
            x["response"]["body"]
                .as_str()
                .unwrap()
                .contains("injected create failure"),
            "{x}"
        );
        m.clear_faults().await;
        assert!(m.suite_servers().await.is_empty());
    }
}
