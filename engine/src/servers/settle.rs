//! Waiting for a server to settle: the one polling loop behind [`crate::compute::wait_settled`]
//! (the follow-through's view of a server) and [`crate::cleanup::wait_settled`] (the pool's and
//! the cleanup's), so both poll at the same interval, stop at the same deadline and call the
//! same states transitional.
use std::future::Future;

use crate::target::Timing;

/// Whether a server in `status` with `task_state` is still moving: a task is running, or the
/// status is one a server only passes through.
pub(crate) fn transitional(status: &str, task_state: Option<&str>) -> bool {
    task_state.is_some() || matches!(status, "BUILD" | "RESIZE" | "REVERT_RESIZE" | "MIGRATING")
}

/// What one poll saw.
#[derive(Debug)]
pub(crate) enum Poll<T, P, E> {
    /// Settled (or gone): the wait ends with it.
    Done(T),
    /// Still transitional: kept as the last view, polled again until the deadline.
    Moving(P),
    /// No usable answer this time (no answer, 502/503/504 after the retry policy's
    /// retries): polled again until the deadline.
    Retry(E),
    /// An answer that ends the wait at once (a 500, a 403, the server gone where it must
    /// not be).
    Stop(E),
}

/// Why a wait ended without a settled server.
#[derive(Debug, Clone)]
pub enum Unsettled<P, E> {
    /// Still transitional at the deadline: the last view, and the last poll's failure if the
    /// last poll got no usable answer.
    TimedOut { last: Option<P>, error: Option<E> },
    /// A poll that ended the wait ([`Poll::Stop`]).
    Failed(E),
}

/// Polls with `poll` every `timing.poll_interval` until it is [`Poll::Done`] or
/// [`Poll::Stop`], or `timing.timeout` has passed (checked after each poll, so there is always
/// at least one).
pub(crate) async fn until_settled<T, P, E, F, Fut>(
    timing: Timing,
    mut poll: F,
) -> Result<T, Unsettled<P, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T, P, E>>,
{
    let deadline = tokio::time::Instant::now() + timing.timeout;
    let mut last = None;
    // Set by every poll that does not end the wait: the last poll's failure, if any.
    let mut error;
    loop {
        match poll().await {
            Poll::Done(t) => return Ok(t),
            Poll::Moving(p) => {
                last = Some(p);
                error = None;
            }
            Poll::Retry(e) => error = Some(e),
            Poll::Stop(e) => return Err(Unsettled::Failed(e)),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(Unsettled::TimedOut { last, error });
        }
        tokio::time::sleep(timing.poll_interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn timing(timeout_ms: u64) -> Timing {
        Timing {
            poll_interval: Duration::from_millis(1),
            timeout: Duration::from_millis(timeout_ms),
        }
    }

    #[test]
    fn transitional_states() {
        for s in ["BUILD", "RESIZE", "REVERT_RESIZE", "MIGRATING"] {
            assert!(transitional(s, None), "{s}");
        }
        for s in ["ACTIVE", "SHUTOFF", "VERIFY_RESIZE", "ERROR", "PAUSED"] {
            assert!(!transitional(s, None), "{s}");
        }
        assert!(transitional("ACTIVE", Some("migrating")));
    }

    #[tokio::test]
    async fn polls_until_done_keeping_the_last_view() {
        let mut n = 0;
        let r: Result<u32, Unsettled<u32, &str>> = until_settled(timing(5_000), || {
            n += 1;
            let k = n;
            async move {
                match k {
                    1 => Poll::Moving(1),
                    2 => Poll::Retry("glitch"),
                    3 => Poll::Moving(3),
                    _ => Poll::Done(k),
                }
            }
        })
        .await;
        assert!(matches!(r, Ok(4)));
        assert_eq!(n, 4);
    }

    #[tokio::test]
    async fn a_stop_ends_the_wait_at_once() {
        let mut n = 0;
        let r: Result<(), Unsettled<(), &str>> = until_settled(timing(5_000), || {
            n += 1;
            async { Poll::Stop("HTTP 500") }
        })
        .await;
        assert!(matches!(r, Err(Unsettled::Failed("HTTP 500"))));
        assert_eq!(n, 1);
    }

    #[tokio::test]
    async fn the_deadline_gives_the_last_view_and_the_last_failure() {
        let mut n = 0;
        let r: Result<(), Unsettled<u32, &str>> = until_settled(timing(20), || {
            n += 1;
            let k = n;
            async move {
                if k == 1 {
                    Poll::Moving(7)
                } else {
                    Poll::Retry("no answer")
                }
            }
        })
        .await;
        match r {
            Err(Unsettled::TimedOut { last, error }) => {
                assert_eq!((last, error), (Some(7), Some("no answer")));
            }
            other => panic!("{other:?}"),
        }
        // A zero timeout still polls once.
        let mut n = 0;
        let r: Result<(), Unsettled<u32, &str>> = until_settled(timing(0), || {
            n += 1;
            async { Poll::Moving(1) }
        })
        .await;
        assert!(matches!(
            r,
            Err(Unsettled::TimedOut {
                last: Some(1),
                error: None
            })
        ));
        assert_eq!(n, 1);
    }
}
