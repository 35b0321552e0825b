//! Nova's default policy rules, as far as the mock's endpoints need them, with the
//! defaults of the configured Nova series (`Config::release`): see [`effective`].
//! (Another project's server never reaches policy: it is a 404 first, except where the
//! series checks a rule before the lookup, as Queens' migrate does.)

use super::context::Ctx;
use super::fault::Fault;
use axum::http::StatusCode;
use nova_releases::{OsloPolicyDefault, PolicyRule, Series};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    Admin,
    ProjectManagerOrAdmin,
    ProjectMemberOrAdmin,
    ProjectReaderOrAdmin,
    /// `rule:admin_or_owner`: an admin, or any role in the target's project.
    OwnerOrAdmin,
}

impl Rule {
    /// The rule a release-table policy fact names (`None` where the rule does not exist).
    pub fn of(fact: PolicyRule) -> Option<Rule> {
        match fact {
            PolicyRule::None => None,
            PolicyRule::Admin => Some(Rule::Admin),
            PolicyRule::ProjectManagerOrAdmin => Some(Rule::ProjectManagerOrAdmin),
        }
    }
}

/// The rule `rule` is, with the `[oslo_policy]` defaults `series` ships. Where the new
/// defaults are not enforced (`enforce_new_defaults` False, Ussuri to Zed; absent,
/// Queens to Train, whose rules are the legacy ones) oslo.policy ORs each new default with
/// its deprecated rule, `admin_or_owner` for the project member and reader rules: any role
/// in the project passes (a reader may stop or resize its servers).
pub(crate) fn effective(series: &Series, rule: Rule) -> Rule {
    match (series.policy.enforce_new_defaults, rule) {
        (
            OsloPolicyDefault::False | OsloPolicyDefault::Absent,
            Rule::ProjectMemberOrAdmin | Rule::ProjectReaderOrAdmin,
        ) => Rule::OwnerOrAdmin,
        (_, r) => r,
    }
}

/// Whether the caller passes `rule` for a target owned by `project_id`, with the defaults
/// of the configured series.
pub(crate) fn allows(ctx: &Ctx, rule: Rule, project_id: &str) -> bool {
    let auth = &ctx.auth;
    if auth.is_admin() {
        return true;
    }
    let own = auth.project_id == project_id;
    match effective(ctx.shared.config.release, rule) {
        Rule::Admin => false,
        Rule::ProjectManagerOrAdmin => own && auth.has_role("manager"),
        Rule::ProjectMemberOrAdmin => own && auth.has_role("member"),
        Rule::ProjectReaderOrAdmin => own && auth.has_role("reader"),
        Rule::OwnerOrAdmin => own,
    }
}

/// `context.can(name)`: 403 "Policy doesn't allow <name> to be performed."
pub(crate) fn authorize(ctx: &Ctx, name: &str, rule: Rule, project_id: &str) -> Result<(), Fault> {
    if allows(ctx, rule, project_id) {
        Ok(())
    } else {
        Err(ctx.fault(
            StatusCode::FORBIDDEN,
            format!("Policy doesn't allow {name} to be performed."),
        ))
    }
}

/// The series has the `manager` persona (2025.2's `add-policy-manager-role`): the
/// change that made `...:migrate` project-manager-or-admin also opened
/// `os-migrations:index` and `servers:migrations:index` to project managers, so the
/// series' `migrate` fact tells both.
pub(crate) fn has_manager_persona(series: &Series) -> bool {
    series.policy.migrate == PolicyRule::ProjectManagerOrAdmin
}

/// The rule of the migration listings (`os-migrations:index`,
/// `servers:migrations:index`): admin-only before the manager persona.
pub(crate) fn migrations_index_rule(series: &Series) -> Rule {
    if has_manager_persona(series) {
        Rule::ProjectManagerOrAdmin
    } else {
        Rule::Admin
    }
}

/// The policy a cold migrate checks, as `migrate_server.py` of the series does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MigratePolicy {
    pub name: &'static str,
    pub rule: Rule,
    /// Checked before the instance lookup (against the caller's own project).
    pub before_lookup: bool,
}

/// `...:migrate:host` when a host is given and the series has that rule, else
/// `...:migrate` (a series without the `:host` rule checks `...:migrate` for every body).
pub(crate) fn migrate_policy(series: &Series, host_given: bool) -> MigratePolicy {
    let host_rule = Rule::of(series.policy.migrate_host).filter(|_| host_given);
    let (name, rule) = match host_rule {
        Some(r) => ("os_compute_api:os-migrate-server:migrate:host", r),
        None => (
            "os_compute_api:os-migrate-server:migrate",
            // A migrate rule of "none" would be a broken table: Nova always has it.
            Rule::of(series.policy.migrate).unwrap_or(Rule::Admin),
        ),
    };
    MigratePolicy {
        name,
        rule,
        before_lookup: series.policy.before_lookup,
    }
}

/// The policy `os-migrateLive` checks, as `migrate_server.py::_migrate_live` of the series
/// does: `...:migrate_live:host` when a host is given and the series has that rule (Nova
/// 32.0.0+), else `...:migrate_live` (admin before 32.0.0, project manager or admin from
/// it). Queens..Train check it before the lookup, like cold migrate (`before_lookup`).
pub(crate) fn live_migrate_policy(series: &Series, host_given: bool) -> MigratePolicy {
    let host_rule = Rule::of(series.policy.migrate_live_host).filter(|_| host_given);
    let (name, rule) = match host_rule {
        Some(r) => ("os_compute_api:os-migrate-server:migrate_live:host", r),
        None => (
            "os_compute_api:os-migrate-server:migrate_live",
            Rule::of(series.policy.migrate_live).unwrap_or(Rule::Admin),
        ),
    };
    MigratePolicy {
        name,
        rule,
        before_lookup: series.policy.before_lookup,
    }
}

/// `os_compute_api:servers:migrations:force_complete` and `...:delete` (abort): admin
/// before the manager persona (`nova/policies/servers_migrations.py` @31.3.1 ADMIN),
/// project manager or admin from it (@32.2.1 PROJECT_MANAGER_OR_ADMIN).
pub(crate) fn server_migrations_action_rule(series: &Series) -> Rule {
    migrations_index_rule(series)
}
