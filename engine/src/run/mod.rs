//! Running: what is asked ([`conformance`]), the [`session`] every run goes through, its
//! [`plan`] (concurrent, alone, chained, skipped), the [`execute`]d phases with Ctrl-C and
//! cleanup, and the [`runner`] that sends, judges and follows through one phase's cases.
pub mod calibration;
pub(crate) mod conformance;
pub mod estimate;
pub(crate) mod execute;
pub(crate) mod plan;
pub(crate) mod runner;
pub(crate) mod session;
