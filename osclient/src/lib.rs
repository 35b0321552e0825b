//! osclient: OpenStack client configuration and Keystone v3 sessions.
