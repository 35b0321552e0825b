//! mockcloud: a stateful mock OpenStack cloud (Keystone v3 + Nova v2.1).
