//! The identities, hosts and catalogue a mock starts with (and returns to on reset).

use crate::config::HostSpec;
use serde::{Deserialize, Serialize};

/// One seeded user: the credentials a client needs to authenticate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeededCredential {
    /// Short cloud name: `admin` gives the clouds.yaml entry `mockcloud-admin`.
    pub cloud: String,
    pub username: String,
    pub password: String,
    pub project: String,
    pub user_domain: String,
    pub project_domain: String,
    pub roles: Vec<String>,
    /// An application credential of this user on `project`.
    pub app_credential_id: String,
    pub app_credential_secret: String,
}

/// A user to seed (scenario files use this form; passwords optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedUser {
    pub name: String,
    #[serde(default)]
    pub password: Option<String>,
    pub project: String,
    pub roles: Vec<String>,
    /// Cloud name in clouds.yaml (defaults to the user name).
    #[serde(default)]
    pub cloud: Option<String>,
}

/// Everything the mock is seeded with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seed {
    pub domain: String,
    pub projects: Vec<String>,
    pub users: Vec<SeedUser>,
    #[serde(skip)]
    pub hosts: Vec<HostSpec>,
}

impl Default for Seed {
    /// The identities of docs/architecture.md: project `demo` with admin, manager,
    /// member and reader, project `other` with a member.
    fn default() -> Self {
        let u = |name: &str, project: &str, roles: &[&str]| SeedUser {
            name: name.into(),
            password: None,
            project: project.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            cloud: None,
        };
        Self {
            domain: "Default".into(),
            projects: vec!["demo".into(), "other".into()],
            users: vec![
                u("admin", "demo", &["admin", "member", "reader", "manager"]),
                u("manager", "demo", &["manager", "member", "reader"]),
                u("member", "demo", &["member", "reader"]),
                u("reader", "demo", &["reader"]),
                u("other", "other", &["member", "reader"]),
            ],
            hosts: Vec::new(),
        }
    }
}
