//! nova-conform: the conformance suite engine.
