//! Identity (Keystone v3) under `/identity`: enough for keystoneauth1,
//! openstacksdk and openstackclient (discovery, password / application
//! credential / token auth, validation).

pub mod catalog;
pub mod discovery;
pub mod error;
pub mod router;
pub mod tokens;
