//! What the suite runs against: the [`target::Target`] seam, a real [`cloud`] (clouds.yaml,
//! Keystone, discovery of hosts, flavors and images), the [`embedded`] mock reached the same
//! way, and [`discovery`].
pub(crate) mod cloud;
pub(crate) mod discovery;
pub(crate) mod embedded;
pub(crate) mod error;
pub(crate) mod target;
