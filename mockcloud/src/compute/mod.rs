//! The Compute (Nova v2.1) API of the mock.

pub mod actions;
pub mod auth;
pub mod body;
pub mod checks;
pub mod context;
pub mod fault;
pub mod flavor_manage;
pub mod flavors;
pub mod hypervisors;
pub mod hypervisors_legacy;
pub mod images;
pub mod instance_actions;
pub mod microversion;
pub mod migrations;
pub mod policy;
pub mod query;
pub mod router;
pub mod schema;
pub mod server_migrations;
pub mod server_view;
pub mod servers;
pub mod services;
pub mod versions;
