//! A conformance case: one request, fully described by its parameters.
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::microversion::{HeaderStyle, VersionSelector};
use crate::variant::{BodyShape, Precondition, Role};

/// One case of the matrix. Its id is a hash of its parameters, so it is stable across
/// releases and independent of which other cases exist.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Case {
    pub version: VersionSelector,
    pub header: HeaderStyle,
    pub body: BodyShape,
    pub precondition: Precondition,
    pub role: Role,
}

/// Serializable parameters of a case, as reports carry them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CaseParams {
    pub version: String,
    pub header: String,
    pub body: String,
    pub host: Option<String>,
    pub force: Option<String>,
    pub precondition: String,
    pub role: String,
    /// `live` for a live-migration case; absent for a cold one (so that a cold case's
    /// parameters read as they did before live migration joined the matrix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_migration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_over_commit: Option<String>,
}

impl Case {
    /// The canonical parameter string the id is hashed from. Versioned (`v1`) so that a
    /// deliberate change of the scheme is visible; never reorder fields. A live-migration case
    /// (body `live-object`) appends its own axes, so every cold case keeps its string and id.
    pub fn canonical(&self) -> String {
        let mut s = format!(
            "v1|mv={}|hdr={}|body={}|host={}|force={}|pre={}|role={}",
            self.version,
            self.header.as_str(),
            self.body.shape(),
            self.body.host().map_or("-", |h| h.as_str()),
            self.body.force().map_or("-", |f| f.as_str()),
            self.precondition.as_str(),
            self.role.as_str(),
        );
        if let (Some(b), Some(d)) = (self.body.block(), self.body.disk()) {
            s.push_str(&format!("|block={b}|disk={d}"));
        }
        s
    }

    /// Stable id: `nc-` and the first 12 hex digits of SHA-256 of [`Case::canonical`]. Reports,
    /// bundles, subunit streams and `--filter id=` name a case by it, across runs and releases.
    ///
    /// ```
    /// use nova_conform::Case;
    /// use nova_conform::{HeaderStyle, Microversion, VersionSelector};
    /// use nova_conform::{BodyShape, ForceVariant, HostVariant, Precondition, Role};
    ///
    /// let case = Case {
    ///     version: VersionSelector::Exact(Microversion::new(2, 56)),
    ///     header: HeaderStyle::Modern,
    ///     body: BodyShape::Migrate { host: HostVariant::Own, force: ForceVariant::Absent },
    ///     precondition: Precondition::Active,
    ///     role: Role::Admin,
    /// };
    /// let id = case.id();
    /// assert!(id.starts_with("nc-") && id.len() == 15);
    /// assert_eq!(id, case.clone().id());
    /// let mut other = case.clone();
    /// other.role = Role::Member;
    /// assert_ne!(id, other.id());
    /// ```
    pub fn id(&self) -> String {
        let digest = Sha256::digest(self.canonical().as_bytes());
        format!("nc-{}", &hex::encode(digest)[..12])
    }

    /// Readable name, e.g. `2.56 host=other,force=true on active as admin`.
    pub fn name(&self) -> String {
        let hdr = match self.header {
            HeaderStyle::Modern => "",
            HeaderStyle::Legacy => " [legacy header]",
        };
        format!(
            "{}{} {} on {} as {}",
            self.version, hdr, self.body, self.precondition, self.role
        )
    }

    /// The variant this case belongs to in a behaviour map: everything but the version.
    pub fn variant_key(&self) -> String {
        let hdr = match self.header {
            HeaderStyle::Modern => String::new(),
            HeaderStyle::Legacy => " [legacy header]".into(),
        };
        format!(
            "{}{} on {} as {}",
            self.body, hdr, self.precondition, self.role
        )
    }

    pub fn params(&self) -> CaseParams {
        CaseParams {
            version: self.version.to_string(),
            header: self.header.as_str().into(),
            body: self.body.shape().into(),
            host: self.body.host().map(|h| h.as_str().into()),
            force: self.body.force().map(|f| f.as_str().into()),
            precondition: self.precondition.as_str().into(),
            role: self.role.as_str().into(),
            action: self
                .body
                .is_live()
                .then(|| self.body.action().as_str().into()),
            block_migration: self.body.block().map(|b| b.as_str().into()),
            disk_over_commit: self.body.disk().map(|d| d.as_str().into()),
        }
    }

    /// Whether confirm (true) or revert (false) follows an accepted migrate. Derived from the
    /// id so it alternates across cases but is the same for a case on every run.
    pub fn confirms(&self) -> bool {
        let digest = Sha256::digest(self.canonical().as_bytes());
        digest[31] % 2 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::microversion::Microversion;
    use crate::variant::{ForceVariant, HostVariant};

    fn case() -> Case {
        Case {
            version: VersionSelector::Exact(Microversion::new(2, 56)),
            header: HeaderStyle::Modern,
            body: BodyShape::Migrate {
                host: HostVariant::Null,
                force: ForceVariant::True,
            },
            precondition: Precondition::Active,
            role: Role::Admin,
        }
    }

    #[test]
    fn id_is_stable_and_parameter_sensitive() {
        // Pinned: a change here means every published case id changed.
        assert_eq!(
            case().canonical(),
            "v1|mv=2.56|hdr=modern|body=migrate-object|host=null|force=true|pre=active|role=admin"
        );
        let id = case().id();
        assert_eq!(id, case().id());
        assert_eq!(id.len(), 15);
        let mut other = case();
        other.role = Role::Manager;
        assert_ne!(other.id(), id);
    }

    #[test]
    fn a_live_case_appends_its_axes() {
        use crate::variant::{BlockMigration, DiskOverCommit};
        let mut c = case();
        c.body = BodyShape::Live {
            host: HostVariant::Null,
            force: ForceVariant::True,
            block: BlockMigration::Auto,
            disk: DiskOverCommit::Absent,
        };
        assert_eq!(
            c.canonical(),
            "v1|mv=2.56|hdr=modern|body=live-object|host=null|force=true|pre=active|role=admin|block=auto|disk=absent"
        );
        assert_ne!(c.id(), case().id());
        assert_eq!(c.params().action.as_deref(), Some("live"));
        assert_eq!(case().params().action, None);
        assert_eq!(
            c.name(),
            "2.56 live host=null,force=true,block_migration=auto,disk_over_commit=absent on active as admin"
        );
    }

    #[test]
    fn name_is_readable() {
        assert_eq!(
            case().name(),
            "2.56 host=null,force=true on active as admin"
        );
    }
}
