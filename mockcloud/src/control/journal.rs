//! The request journal: the last N requests (method, path, query, status,
//! duration) with tokens redacted by the hooks layer.

use crate::http::hooks::{RequestInfo, RequestJournal};
use axum::http::StatusCode;
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::VecDeque;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub microversion: Option<String>,
    pub status: u16,
    pub elapsed_us: u64,
}

/// A bounded in-memory journal.
pub(crate) struct Journal {
    cap: usize,
    inner: Mutex<(u64, VecDeque<Entry>)>,
}

impl Journal {
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            inner: Mutex::new((0, VecDeque::new())),
        }
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.inner.lock().1.iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.inner.lock().1.clear();
    }
}

impl RequestJournal for Journal {
    fn record(&self, req: &RequestInfo, status: StatusCode, elapsed: Duration) {
        let mut g = self.inner.lock();
        g.0 += 1;
        let seq = g.0;
        let microversion = req
            .headers
            .get("openstack-api-version")
            .or_else(|| req.headers.get("x-openstack-nova-api-version"))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        g.1.push_back(Entry {
            seq,
            method: req.method.to_string(),
            path: req.path.clone(),
            query: req.query.clone(),
            microversion,
            status: status.as_u16(),
            elapsed_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        });
        while g.1.len() > self.cap {
            g.1.pop_front();
        }
    }
}
