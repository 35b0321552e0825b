//! What the suite runs against: the [`target::Target`] seam, a real [`cloud`] (clouds.yaml,
//! Keystone, discovery of hosts, flavors and images), the [`embedded`] mock reached the same
//! way, and [`discovery`].
pub mod cloud;
pub mod discovery;
pub mod embedded;
pub mod error;
pub mod target;
