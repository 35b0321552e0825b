//! Nova's default policy rules, as far as the mock's endpoints need them.
//! (Another project's server never reaches policy: it is a 404 first.)

use super::auth::AuthContext;
use super::fault::Fault;
use super::microversion::Version;
use axum::http::StatusCode;

/// `rule:context_is_admin`.
pub const ADMIN: Rule = Rule::Admin;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Admin,
    ProjectManagerOrAdmin,
    ProjectMemberOrAdmin,
    ProjectReaderOrAdmin,
}

/// Whether `ctx` passes `rule` for a target owned by `project_id`.
pub fn allows(ctx: &AuthContext, rule: Rule, project_id: &str) -> bool {
    if ctx.is_admin() {
        return true;
    }
    let own = ctx.project_id == project_id;
    match rule {
        Rule::Admin => false,
        Rule::ProjectManagerOrAdmin => own && ctx.has_role("manager"),
        Rule::ProjectMemberOrAdmin => own && ctx.has_role("member"),
        Rule::ProjectReaderOrAdmin => own && ctx.has_role("reader"),
    }
}

/// `context.can(name)`: 403 "Policy doesn't allow <name> to be performed."
pub fn authorize(
    ctx: &AuthContext,
    name: &str,
    rule: Rule,
    project_id: &str,
    v: Version,
) -> Result<(), Fault> {
    if allows(ctx, rule, project_id) {
        Ok(())
    } else {
        Err(Fault::new(
            StatusCode::FORBIDDEN,
            format!("Policy doesn't allow {name} to be performed."),
            Some(v),
        ))
    }
}
