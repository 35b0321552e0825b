//! A minimal Image v2 (Glance) service under `/image`, enough for clients to
//! resolve an image name (`openstack server create --image NAME`).

pub(crate) mod router;
pub(crate) mod views;
