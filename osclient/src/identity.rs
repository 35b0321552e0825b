//! Who a session is: user, scope and roles, as Keystone reported them in the token.

/// The authenticated identity behind a [`crate::Session`] (from the first token; re-authenticating
/// with the same credentials yields the same identity).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// User id.
    pub user_id: String,
    /// User name.
    pub user_name: String,
    /// The user's domain id, when Keystone reported it.
    pub user_domain_id: Option<String>,
    /// The user's domain name, when Keystone reported it.
    pub user_domain_name: Option<String>,
    /// Project id for a project-scoped token.
    pub project_id: Option<String>,
    /// Project name for a project-scoped token.
    pub project_name: Option<String>,
    /// The project's domain id for a project-scoped token.
    pub project_domain_id: Option<String>,
    /// Domain id for a domain-scoped token.
    pub domain_id: Option<String>,
    /// True for a system-scoped token.
    pub system_scope: bool,
    /// Role names on the scope, as listed in the token.
    pub roles: Vec<String>,
}

impl Identity {
    /// Whether the token lists role `name` (case-insensitive, as Keystone role names are).
    pub fn has_role(&self, name: &str) -> bool {
        self.roles.iter().any(|r| r.eq_ignore_ascii_case(name))
    }

    /// Whether the token carries the `admin` role (Nova's default admin policy).
    pub fn is_admin(&self) -> bool {
        self.has_role("admin")
    }
}
