//! The mock's notion of "now". Timestamps and token expiry read this clock so a
//! test (or the control API) can move time forward without sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// Wall clock plus an adjustable offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Current mock time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Move the mock's time forward (tokens expire, `updated_at` jumps).
    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// How far the mock's time is ahead of the wall clock (exported with the state).
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Set the offset (a state load restores the exported one).
    pub fn set_offset_ms(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::Relaxed);
    }

    /// Back to wall time.
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

/// Nova's `utils.isotime` form: `2026-11-25T20:12:35Z`.
pub(crate) fn isotime(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Nova's naive-datetime-as-string form used by os-migrations and instance
/// actions (`2026-11-25T20:12:35.000000`).
pub(crate) fn naive_iso(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_time() {
        let c = Clock::new();
        let before = c.now();
        c.advance(std::time::Duration::from_secs(3600));
        assert!(c.now() - before >= Duration::seconds(3599));
        c.reset();
        assert!(c.now() - before < Duration::seconds(60));
    }
}
