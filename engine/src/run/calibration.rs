//! The durations behind the time estimate, read from what the cloud already records: past
//! migrations in `GET /os-migrations` (`created_at` to `updated_at` of the finished ones, per
//! `migration_type`), past builds, migrations, confirms/reverts and power actions in the
//! instance actions of a few servers (an action's `start_time`, when the API took the request,
//! to the last `finish_time` of its events), and the request latency measured on these very
//! requests. Read-only and bounded: at most [`MIGRATIONS_READ`] migration records, the actions
//! of at most [`SERVERS_SAMPLED`] servers, [`PROBE_ROUNDS`] rounds of `--jobs` concurrent GETs.
//!
//! Each figure is the median of its samples (a cloud's history has outliers: a build that
//! waited for an image download, a resize its owner confirmed a day later), and it is only
//! *calibrated* with at least [`MIN_SAMPLES`] of them; otherwise the estimate uses an assumed
//! value and says so.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::Method;
use serde_json::Value;

use crate::cloud_api::{call, Answer};
use crate::microversion::{Microversion, VersionBounds};
use crate::target::Caller;

/// Fewer samples than this and a figure is an assumption.
pub const MIN_SAMPLES: usize = 3;
/// Migration records read (one page at 2.59+, the newest kept below).
pub const MIGRATIONS_READ: usize = 200;
/// Servers whose instance actions are read.
pub const SERVERS_SAMPLED: usize = 6;
/// Rounds of `--jobs` concurrent GETs that measure the request time under the run's load.
pub const PROBE_ROUNDS: usize = 3;
/// At most this many GETs in flight in a probe round (`--jobs` goes up to 1024; a cloud's
/// throughput is reached long before).
pub const PROBE_MAX_IN_FLIGHT: usize = 64;

/// Migration statuses whose `updated_at` is the end of the migration (with its confirm or
/// revert for the first two).
const FINISHED: [&str; 3] = ["confirmed", "reverted", "finished"];

/// What a figure is (the kinds of instance actions it is read from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Build,
    Migrate,
    /// confirmResize or revertResize.
    Finish,
    /// stop, pause or suspend (preparing a SHUTOFF, PAUSED or SUSPENDED server).
    Power,
}

impl Kind {
    /// The kind of an instance action by its name, if the estimate uses it.
    pub fn of_action(name: &str) -> Option<Kind> {
        match name {
            "create" => Some(Kind::Build),
            "migrate" => Some(Kind::Migrate),
            "confirmResize" | "revertResize" => Some(Kind::Finish),
            "stop" | "pause" | "suspend" => Some(Kind::Power),
            _ => None,
        }
    }

    /// Actions of this kind read per server (newest first).
    fn quota(self) -> usize {
        match self {
            Kind::Build | Kind::Power => 1,
            Kind::Migrate | Kind::Finish => 2,
        }
    }
}

/// One duration of the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    pub value: Duration,
    /// Samples found (the figure is the median of them when calibrated).
    pub samples: usize,
    pub calibrated: bool,
    /// Where the samples come from, in words ("create actions").
    pub from: &'static str,
}

impl Figure {
    /// The median of `samples` if there are at least [`MIN_SAMPLES`], else `assumed`.
    pub fn from_samples(samples: &[Duration], assumed: Duration, from: &'static str) -> Figure {
        match median(samples) {
            Some(m) if samples.len() >= MIN_SAMPLES => Figure {
                value: m,
                samples: samples.len(),
                calibrated: true,
                from,
            },
            _ => Figure {
                value: assumed,
                samples: samples.len(),
                calibrated: false,
                from,
            },
        }
    }

    /// "calibrated: median of 12 migrate actions" or "uncalibrated: assumed (1 of the 3
    /// create actions needed)".
    pub fn describe(&self) -> String {
        if self.calibrated {
            format!("calibrated: median of {} {}", self.samples, self.from)
        } else {
            format!(
                "uncalibrated: assumed ({} of the {MIN_SAMPLES} {} needed)",
                self.samples, self.from
            )
        }
    }
}

/// The median (the mean of the two middle values for an even count); `None` when empty.
pub fn median(samples: &[Duration]) -> Option<Duration> {
    let mut v = samples.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2),
    }
}

/// The values used for what the cloud does not tell.
#[derive(Debug, Clone, Copy)]
pub struct Assumed {
    pub build: Duration,
    pub migrate: Duration,
    pub finish: Duration,
    pub power: Duration,
    pub request: Duration,
}

impl Default for Assumed {
    /// A production cloud with libvirt: a minute to boot, a cold migration copies the disk.
    fn default() -> Self {
        Self {
            build: Duration::from_secs(60),
            migrate: Duration::from_secs(75),
            finish: Duration::from_secs(15),
            power: Duration::from_secs(10),
            request: Duration::from_millis(300),
        }
    }
}

/// The samples gathered from the cloud.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    /// Round trips of the calibration's own sequential GETs.
    pub request: Vec<Duration>,
    /// Per request, in a round of `--jobs` concurrent GETs: the round's time / `--jobs`.
    pub request_at_jobs: Vec<Duration>,
    /// Instance-action spans by kind.
    pub actions: BTreeMap<Kind, Vec<Duration>>,
    /// `os-migrations` spans of finished migrations by `migration_type` (`untyped` below
    /// 2.23, where the field does not exist).
    pub records: BTreeMap<String, Vec<Duration>>,
}

/// The figures of the estimate.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub request: Figure,
    pub request_at_jobs: Figure,
    pub build: Figure,
    pub migrate: Figure,
    pub finish: Figure,
    pub power: Figure,
    /// `os-migrations`: per migration type, the count and median span of finished ones.
    pub records: BTreeMap<String, (usize, Option<Duration>)>,
    /// What could not be read, and why (the figures it would have given are assumed).
    pub notes: Vec<String>,
}

impl Calibration {
    /// The figures from `s`, assumed where there are too few samples. A cold migration with
    /// too few migrate actions but enough finished `migration` records takes the records'
    /// median (which includes the confirm or revert, and any time in VERIFY_RESIZE before it).
    pub fn from_samples(s: &Samples, a: &Assumed) -> Calibration {
        let acts = |k: Kind| s.actions.get(&k).map(Vec::as_slice).unwrap_or(&[]);
        let mut migrate = Figure::from_samples(acts(Kind::Migrate), a.migrate, "migrate actions");
        if !migrate.calibrated {
            let cold = s.records.get("migration").map(Vec::as_slice).unwrap_or(&[]);
            let from_records = Figure::from_samples(cold, a.migrate, "finished cold migrations");
            if from_records.calibrated {
                migrate = from_records;
            }
        }
        let request = Figure::from_samples(&s.request, a.request, "requests of this discovery");
        let request_at_jobs = Figure::from_samples(
            &s.request_at_jobs,
            request.value,
            "rounds of concurrent GETs",
        );
        Calibration {
            request,
            request_at_jobs,
            build: Figure::from_samples(acts(Kind::Build), a.build, "create actions"),
            migrate,
            finish: Figure::from_samples(
                acts(Kind::Finish),
                a.finish,
                "confirmResize/revertResize actions",
            ),
            power: Figure::from_samples(acts(Kind::Power), a.power, "stop/pause/suspend actions"),
            records: s
                .records
                .iter()
                .map(|(k, v)| (k.clone(), (v.len(), median(v))))
                .collect(),
            notes: Vec::new(),
        }
    }

    /// Nothing read: every figure assumed.
    pub fn uncalibrated(a: &Assumed) -> Calibration {
        Self::from_samples(&Samples::default(), a)
    }

    /// The figures, one line each (indented for the dry-run text).
    pub fn render(&self, jobs: usize) -> String {
        let mut s = String::new();
        let row = |s: &mut String, what: &str, f: &Figure| {
            s.push_str(&format!(
                "    {what:<24} {:>9}  {}\n",
                short(f.value),
                f.describe()
            ));
        };
        row(&mut s, "request", &self.request);
        row(
            &mut s,
            &format!("request at --jobs {jobs}"),
            &self.request_at_jobs,
        );
        row(&mut s, "server build", &self.build);
        row(&mut s, "cold migration", &self.migrate);
        row(&mut s, "confirm/revert", &self.finish);
        row(&mut s, "stop/pause/suspend", &self.power);
        let records: Vec<String> = self
            .records
            .iter()
            .map(|(t, (n, m))| match m {
                Some(m) => format!("{t} {n} (median {})", short(*m)),
                None => format!("{t} 0"),
            })
            .collect();
        s.push_str(&format!(
            "    os-migrations finished: {}\n",
            if records.is_empty() {
                "none".to_string()
            } else {
                records.join(", ")
            }
        ));
        for n in &self.notes {
            s.push_str(&format!("    not read: {n}\n"));
        }
        s
    }
}

/// A duration for the figure table: ms below 10 s (two decimals below 10 ms), else seconds.
pub fn short(d: Duration) -> String {
    if d < Duration::from_millis(10) {
        format!("{:.2} ms", d.as_secs_f64() * 1000.0)
    } else if d < Duration::from_secs(10) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs())
    }
}

/// Nova's times: naive ISO 8601 (`2026-11-25T20:12:35.000000`, UTC) or with an offset.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Duration> {
    (to - from).to_std().ok()
}

/// From a `GET /os-migrations` answer: the spans (`created_at` to `updated_at`) of the
/// finished migrations among the newest [`MIGRATIONS_READ`] records, added to `records` by
/// migration type, and the servers of the finished cold migrations, newest first.
pub fn migration_records(
    body: &Value,
    records: &mut BTreeMap<String, Vec<Duration>>,
) -> Vec<String> {
    let mut list: Vec<(DateTime<Utc>, &Value)> = body["migrations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| Some((parse_time(m["created_at"].as_str()?)?, m)))
        .collect();
    // Below 2.59 the answer is in no particular order and unbounded: keep the newest.
    list.sort_by_key(|m| std::cmp::Reverse(m.0));
    list.truncate(MIGRATIONS_READ);
    let mut servers = Vec::new();
    for (created, m) in list {
        if !FINISHED.contains(&m["status"].as_str().unwrap_or("")) {
            continue;
        }
        let Some(d) = m["updated_at"]
            .as_str()
            .and_then(parse_time)
            .and_then(|u| span(created, u))
        else {
            continue;
        };
        let kind = m["migration_type"]
            .as_str()
            .unwrap_or("untyped")
            .to_string();
        if matches!(kind.as_str(), "migration" | "untyped") {
            if let Some(id) = m["instance_uuid"].as_str() {
                if !servers.iter().any(|s| s == id) {
                    servers.push(id.to_string());
                }
            }
        }
        records.entry(kind).or_default().push(d);
    }
    servers
}

/// An instance action's duration: from its `start_time` (the API took the request) to the
/// last `finish_time` of its events. `None` for an action that failed or has not finished
/// (an event without a finish time or with another result than Success), or has no events.
pub fn action_span(action: &Value) -> Option<Duration> {
    let start = parse_time(action["start_time"].as_str()?)?;
    let events = action["events"].as_array()?;
    let mut end = None;
    for e in events {
        if e["result"].as_str() != Some("Success") {
            return None;
        }
        let f = parse_time(e["finish_time"].as_str()?)?;
        end = end.max(Some(f));
    }
    span(start, end?)
}

/// Which actions of a `GET /servers/{id}/os-instance-actions` answer to read: the newest of
/// each kind, up to the kind's quota, as (kind, request id).
pub fn actions_to_read(list: &Value) -> Vec<(Kind, String)> {
    let mut items: Vec<(DateTime<Utc>, Kind, String)> = list["instanceActions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            Some((
                parse_time(a["start_time"].as_str()?)?,
                Kind::of_action(a["action"].as_str()?)?,
                a["request_id"].as_str()?.to_string(),
            ))
        })
        .collect();
    items.sort_by_key(|a| std::cmp::Reverse(a.0));
    let mut taken: BTreeMap<Kind, usize> = BTreeMap::new();
    items
        .into_iter()
        .filter(|(_, k, _)| {
            let n = taken.entry(*k).or_default();
            *n += 1;
            *n <= k.quota()
        })
        .map(|(_, k, id)| (k, id))
        .collect()
}

/// Sequential GETs, each timed (the request figure); failures become notes.
struct Reader<'a> {
    admin: &'a Caller,
    samples: Samples,
    notes: Vec<String>,
}

impl Reader<'_> {
    async fn get(&mut self, path: &str, version: &str, what: &str) -> Option<Value> {
        let t = Instant::now();
        match call(self.admin, Method::GET, path, version, None).await {
            Ok(Answer {
                status: 200, body, ..
            }) => {
                self.samples.request.push(t.elapsed());
                Some(body)
            }
            Ok(a) => {
                self.notes.push(format!(
                    "{what}: HTTP {}: {}",
                    a.status,
                    a.fault_message().chars().take(120).collect::<String>()
                ));
                None
            }
            Err(e) => {
                self.notes.push(format!("{what}: {e}"));
                None
            }
        }
    }
}

/// Reads the cloud's records as `admin` (GETs only) and measures the request time at `jobs`
/// concurrent requests. Never fails: what cannot be read is assumed, with a note.
pub async fn read(
    admin: &Caller,
    bounds: &VersionBounds,
    jobs: usize,
    assumed: &Assumed,
) -> Calibration {
    let at = |minor: u32| bounds.max >= Microversion::new(2, minor);
    let mut r = Reader {
        admin,
        samples: Samples::default(),
        notes: Vec::new(),
    };
    // 2.59 pages and sorts (created_at desc); 2.23 adds migration_type.
    let migrations = if at(59) {
        r.get(
            &format!("/os-migrations?limit={MIGRATIONS_READ}"),
            "2.59",
            "os-migrations",
        )
        .await
    } else {
        let v = if at(23) { "2.23" } else { "2.1" };
        r.get("/os-migrations", v, "os-migrations").await
    };
    let mut servers = match &migrations {
        Some(body) => migration_records(body, &mut r.samples.records),
        None => Vec::new(),
    };
    // The newest servers of every project, for builds (and anything else they did).
    if let Some(list) = r
        .get(
            &format!("/servers?all_tenants=1&limit={SERVERS_SAMPLED}"),
            "2.1",
            "servers",
        )
        .await
    {
        for s in list["servers"].as_array().into_iter().flatten() {
            if let Some(id) = s["id"].as_str() {
                if !servers.iter().any(|x| x == id) {
                    servers.push(id.to_string());
                }
            }
        }
    }
    // Migrated servers first: they hold the migrations, and often their build too.
    servers.truncate(SERVERS_SAMPLED);
    // 2.21: the actions of deleted servers too (the migrated ones may be gone).
    let v = if at(21) { "2.21" } else { "2.1" };
    for id in &servers {
        let Some(list) = r
            .get(
                &format!("/servers/{id}/os-instance-actions"),
                v,
                "instance actions",
            )
            .await
        else {
            continue;
        };
        for (kind, req) in actions_to_read(&list) {
            let path = format!("/servers/{id}/os-instance-actions/{req}");
            if let Some(a) = r.get(&path, v, "instance action").await {
                if let Some(d) = action_span(&a["instanceAction"]) {
                    r.samples.actions.entry(kind).or_default().push(d);
                }
            }
        }
    }
    // A cloud with no history gave too few round trips: time the version document (the
    // request discovery starts with) until there are enough.
    for _ in r.samples.request.len()..MIN_SAMPLES {
        r.get("", "2.1", "GET /v2.1").await;
    }
    r.samples.request_at_jobs = probe(admin, jobs).await;
    let mut notes = r.notes;
    notes.dedup();
    let mut c = Calibration::from_samples(&r.samples, assumed);
    c.notes = notes;
    c
}

/// [`PROBE_ROUNDS`] rounds of `jobs` (at most [`PROBE_MAX_IN_FLIGHT`]) concurrent
/// `GET /servers/{nil uuid}` (a 404 that still authenticates and looks the server up, like a
/// refused case): per request, the round's time divided by the requests in it. A round with
/// a failed request is left out.
async fn probe(admin: &Caller, jobs: usize) -> Vec<Duration> {
    let jobs = jobs.clamp(1, PROBE_MAX_IN_FLIGHT);
    let mut out = Vec::new();
    for _ in 0..PROBE_ROUNDS {
        let t = Instant::now();
        let answers = futures::future::join_all((0..jobs).map(|_| {
            call(
                admin,
                Method::GET,
                "/servers/00000000-0000-0000-0000-000000000000",
                "2.1",
                None,
            )
        }))
        .await;
        if answers.iter().all(Result::is_ok) {
            out.push(t.elapsed() / jobs as u32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secs(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|s| Duration::from_secs(*s)).collect()
    }

    #[test]
    fn the_median_resists_an_outlier_and_averages_the_middle_pair() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&secs(&[7])), Some(Duration::from_secs(7)));
        // A resize confirmed a day later does not move it.
        assert_eq!(
            median(&secs(&[30, 86_400, 20, 40, 35])),
            Some(Duration::from_secs(35))
        );
        // Even: the middle pair's mean (the mean of all four would be 40 s).
        assert_eq!(
            median(&secs(&[10, 100, 20, 30])),
            Some(Duration::from_secs(25))
        );
    }

    #[test]
    fn too_few_samples_give_the_assumed_value_and_say_so() {
        let a = Duration::from_secs(60);
        let two = Figure::from_samples(&secs(&[5, 7]), a, "create actions");
        assert_eq!((two.value, two.calibrated, two.samples), (a, false, 2));
        assert_eq!(
            two.describe(),
            "uncalibrated: assumed (2 of the 3 create actions needed)"
        );
        let three = Figure::from_samples(&secs(&[5, 9, 7]), a, "create actions");
        assert_eq!(
            (three.value, three.calibrated, three.samples),
            (Duration::from_secs(7), true, 3)
        );
        assert_eq!(three.describe(), "calibrated: median of 3 create actions");
        let none = Calibration::uncalibrated(&Assumed::default());
        for f in [
            none.request,
            none.request_at_jobs,
            none.build,
            none.migrate,
            none.finish,
            none.power,
        ] {
            assert!(!f.calibrated);
        }
        assert_eq!(none.build.value, Duration::from_secs(60));
        // Without concurrent rounds, the request at --jobs is the (assumed) request.
        assert_eq!(none.request_at_jobs.value, Duration::from_millis(300));
    }

    fn record(status: &str, kind: Option<&str>, created: &str, updated: &str, id: &str) -> Value {
        let mut m = json!({"status": status, "created_at": created, "updated_at": updated,
            "instance_uuid": id});
        if let Some(k) = kind {
            m["migration_type"] = json!(k);
        }
        m
    }

    #[test]
    fn finished_migrations_are_timed_from_created_at_to_updated_at_per_type() {
        let body = json!({"migrations": [
            record("confirmed", Some("migration"), "2026-11-25T10:00:00.000000", "2026-11-25T10:00:42.500000", "s1"),
            record("reverted", Some("migration"), "2026-11-25T11:00:00.000000", "2026-11-25T11:00:30.000000", "s2"),
            record("finished", Some("migration"), "2026-11-25T12:00:00.000000", "2026-11-25T12:00:20.000000", "s1"),
            // In flight or failed: not a duration.
            record("migrating", Some("migration"), "2026-11-25T13:00:00.000000", "2026-11-25T13:09:00.000000", "s3"),
            record("error", Some("migration"), "2026-11-25T13:00:00.000000", "2026-11-25T13:00:01.000000", "s4"),
            record("confirmed", Some("resize"), "2026-11-25T09:00:00.000000", "2026-11-25T09:01:40.000000", "s5"),
            record("completed", Some("live-migration"), "2026-11-25T09:00:00.000000", "2026-11-25T09:00:09.000000", "s6"),
            // Updated before it was created: a broken record, left out.
            record("confirmed", Some("migration"), "2026-11-25T10:00:10.000000", "2026-11-25T10:00:00.000000", "s7"),
        ]});
        let mut recs = BTreeMap::new();
        let servers = migration_records(&body, &mut recs);
        // Newest first, each server once, cold migrations only.
        assert_eq!(servers, ["s1", "s2"]);
        assert_eq!(recs.len(), 2, "{recs:?}");
        let mut cold = recs["migration"].clone();
        cold.sort();
        assert_eq!(
            cold,
            [
                Duration::from_secs(20),
                Duration::from_secs(30),
                Duration::from_millis(42_500)
            ]
        );
        assert_eq!(recs["resize"], [Duration::from_secs(100)]);
        // Below 2.23 there is no migration_type.
        let old = json!({"migrations": [record("confirmed", None, "2026-11-25T10:00:00", "2026-11-25T10:00:05", "s9")]});
        let mut recs = BTreeMap::new();
        assert_eq!(migration_records(&old, &mut recs), ["s9"]);
        assert_eq!(recs["untyped"], [Duration::from_secs(5)]);
        // Too few actions: the cold migration takes the records' median.
        let s = Samples {
            records: [("migration".to_string(), cold)].into(),
            ..Samples::default()
        };
        let c = Calibration::from_samples(&s, &Assumed::default());
        assert_eq!(c.migrate.value, Duration::from_secs(30));
        assert_eq!(
            c.migrate.describe(),
            "calibrated: median of 3 finished cold migrations"
        );
    }

    #[test]
    fn only_the_newest_records_count() {
        let many: Vec<Value> = (0..MIGRATIONS_READ + 50)
            .map(|i| {
                // The 50 oldest took 1000 s; the newest MIGRATIONS_READ took 10 s.
                let took = if i < 50 { 1000 } else { 10 };
                let c =
                    DateTime::<Utc>::from_timestamp(1_800_000_000 + i as i64 * 2000, 0).unwrap();
                let u = c + chrono::Duration::seconds(took);
                let f = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
                record(
                    "confirmed",
                    Some("migration"),
                    &f(c),
                    &f(u),
                    &format!("s{i}"),
                )
            })
            .collect();
        let mut recs = BTreeMap::new();
        let servers = migration_records(&json!({ "migrations": many }), &mut recs);
        assert_eq!(recs["migration"].len(), MIGRATIONS_READ);
        assert!(recs["migration"]
            .iter()
            .all(|d| *d == Duration::from_secs(10)));
        assert_eq!(servers.first().map(String::as_str), Some("s249"));
    }

    #[test]
    fn an_action_lasts_from_its_request_to_its_last_event() {
        let a = json!({"action": "create", "start_time": "2026-11-25T10:00:00.000000",
        "events": [
            {"event": "compute__do_build_and_run_instance", "start_time": "2026-11-25T10:00:03.000000",
             "finish_time": "2026-11-25T10:00:41.250000", "result": "Success"}
        ]});
        assert_eq!(action_span(&a), Some(Duration::from_millis(41_250)));
        let m = json!({"action": "migrate", "start_time": "2026-11-25T10:00:00Z",
        "events": [
            {"event": "conductor_migrate_server", "finish_time": "2026-11-25T10:00:02.000000", "result": "Success"},
            {"event": "compute_finish_resize", "finish_time": "2026-11-25T10:01:10.000000", "result": "Success"},
            {"event": "compute_resize_instance", "finish_time": "2026-11-25T10:01:00.000000", "result": "Success"}
        ]});
        assert_eq!(action_span(&m), Some(Duration::from_secs(70)));
        let failed = json!({"start_time": "2026-11-25T10:00:00", "events": [
            {"finish_time": "2026-11-25T10:00:02", "result": "Error"}]});
        assert_eq!(action_span(&failed), None);
        let running = json!({"start_time": "2026-11-25T10:00:00", "events": [
            {"finish_time": null, "result": null}]});
        assert_eq!(action_span(&running), None);
        assert_eq!(
            action_span(&json!({"start_time": "2026-11-25T10:00:00", "events": []})),
            None
        );
        // No events at all (a non-admin below 2.51): nothing to time.
        assert_eq!(
            action_span(&json!({"start_time": "2026-11-25T10:00:00"})),
            None
        );
    }

    #[test]
    fn the_newest_actions_of_each_kind_are_read_up_to_a_quota() {
        let a = |name: &str, t: &str, req: &str| json!({"action": name, "start_time": format!("2026-11-25T10:{t}:00.000000"), "request_id": req});
        let list = json!({"instanceActions": [
            a("migrate", "01", "m1"), a("confirmResize", "02", "c1"), a("migrate", "03", "m2"),
            a("revertResize", "04", "r1"), a("migrate", "05", "m3"), a("create", "00", "b1"),
            a("lock", "06", "l1"), a("stop", "07", "p1"), a("suspend", "08", "p2"),
        ]});
        let got = actions_to_read(&list);
        let ids: Vec<&str> = got.iter().map(|(_, id)| id.as_str()).collect();
        assert_eq!(ids, ["p2", "m3", "r1", "m2", "c1", "b1"]);
        assert_eq!(got[0].0, Kind::Power);
    }
}
