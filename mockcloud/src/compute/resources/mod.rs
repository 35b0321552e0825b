//! The compute REST resources, one file each (the server actions are in `actions`).

pub(crate) mod flavor_manage;
pub(crate) mod flavors;
pub(crate) mod hypervisors;
pub(crate) mod hypervisors_legacy;
pub(crate) mod images;
pub(crate) mod instance_actions;
pub(crate) mod migrations;
pub(crate) mod server_migrations;
pub(crate) mod server_view;
pub(crate) mod servers;
pub(crate) mod services;
pub(crate) mod versions;
