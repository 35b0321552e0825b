//! Identity (Keystone v3) under `/identity`: enough for keystoneauth1,
//! openstacksdk and openstackclient (discovery, password / application
//! credential / token auth, validation).

pub(crate) mod catalog;
pub(crate) mod discovery;
pub(crate) mod error;
pub(crate) mod router;
pub(crate) mod tokens;
