//! Where a case gets its server from: the hook that lets a real-cloud plan (issue #4) share
//! servers between cases that do not change them and chain the ones that do, while the
//! embedded mock keeps the simple per-precondition [`ServerPool`].
use futures::future::BoxFuture;

use crate::provision::{Server, ServerPool};
use crate::setup_error::SetupError;
use crate::variant::Precondition;

/// Supplies servers in a precondition to the runner, and takes them back.
pub trait ServerSource: Send + Sync {
    /// A server in `pre` (never called for [`Precondition::Nonexistent`]); on failure the
    /// reason and the exchange that failed it (the case is an Error showing it).
    fn acquire(&self, pre: Precondition) -> BoxFuture<'_, Result<Server, SetupError>>;
    /// The runner saw `server` in `pre` again after its case (possibly on another host).
    fn release(&self, pre: Precondition, server: Server) -> BoxFuture<'_, ()>;
    /// The server is no longer in a known precondition.
    fn discard(&self, server: Server) -> BoxFuture<'_, ()>;
    /// Checked before each case starts: `true` stops starting cases (Ctrl-C); the cases not
    /// started are reported as Skip.
    fn stopped(&self) -> bool {
        false
    }
}

impl ServerSource for ServerPool {
    fn acquire(&self, pre: Precondition) -> BoxFuture<'_, Result<Server, SetupError>> {
        Box::pin(async move {
            ServerPool::acquire(self, pre)
                .await
                .map_err(SetupError::from)
        })
    }
    fn release(&self, pre: Precondition, server: Server) -> BoxFuture<'_, ()> {
        Box::pin(ServerPool::release(self, pre, server))
    }
    fn discard(&self, server: Server) -> BoxFuture<'_, ()> {
        Box::pin(ServerPool::discard(self, server))
    }
}
