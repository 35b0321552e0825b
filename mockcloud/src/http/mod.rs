//! HTTP plumbing shared by every service of the mock.

pub mod body_limit;
pub mod hooks;
pub mod reply;
pub mod request_id;
pub mod webob;
