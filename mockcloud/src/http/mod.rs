//! HTTP plumbing shared by every service of the mock.

pub(crate) mod body_limit;
pub(crate) mod hooks;
pub(crate) mod reply;
pub(crate) mod request_id;
pub(crate) mod webob;
