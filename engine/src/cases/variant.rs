//! The parameter axes of a case: host, force, body shape, precondition, role.
//!
//! Each axis is a closed enum with a stable kebab-case keyword; the keywords are what case ids
//! are hashed from, what filters and oracle rules match on, and what reports print. Renaming a
//! keyword changes case ids, so don't.

/// Declares a closed enum with stable keywords, `ALL`, `as_str` and `FromStr`.
macro_rules! axis {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $kw:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $var),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$var => $kw),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::SuiteError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($kw => Ok($name::$var),)+
                    other => Err(crate::error::SuiteError::Usage(format!(
                        "unknown {} {:?} (one of: {})",
                        stringify!($name),
                        other,
                        [$($kw),+].join(", ")
                    ))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

axis!(
    /// The `host` member of `{"migrate": {...}}`.
    HostVariant {
        Absent = "absent",
        Null = "null",
        /// an existing, enabled host other than the server's
        Other = "other",
        /// the server's own host
        Own = "own",
        Unknown = "unknown",
        InvalidChars = "invalid-chars",
        Empty = "empty",
        TooLong = "too-long",
        NonString = "non-string",
        /// a host whose compute service is disabled
        Disabled = "disabled",
        /// a host without capacity for the server's flavor
        NoCapacity = "no-capacity",
    }
);

axis!(
    /// The `force` member of `{"migrate": {...}}`.
    ForceVariant {
        Absent = "absent",
        Null = "null",
        True = "true",
        False = "false",
        NonBoolean = "non-boolean",
        /// a string Nova's `parameter_types.boolean` reads as true ("yes")
        StringTrue = "string-true",
        /// a string Nova's `parameter_types.boolean` reads as false ("off")
        StringFalse = "string-false",
    }
);

impl ForceVariant {
    /// The JSON-typed values, crossed with every host at every microversion; the string
    /// booleans run in a smaller block of their own (docs/cases.md).
    pub const TYPED: &'static [ForceVariant] = &[
        ForceVariant::Absent,
        ForceVariant::Null,
        ForceVariant::True,
        ForceVariant::False,
        ForceVariant::NonBoolean,
    ];
}

axis!(
    /// Request body shapes that are not a `{"migrate": {host, force}}` object.
    OtherBody {
        MigrateNull = "migrate-null",
        MigrateString = "migrate-string",
        ExtraProperty = "extra-property",
        MissingAction = "missing-action",
    }
);

axis!(
    /// The `block_migration` member of `{"os-migrateLive": {...}}` (live migration only).
    BlockMigration {
        Absent = "absent",
        True = "true",
        False = "false",
        /// `"auto"`: a valid value from 2.25, a schema 400 before
        Auto = "auto",
        /// a string that is neither one of `parameter_types.boolean`'s nor "auto" (the
        /// value of force's `non-boolean`, "maybe")
        Invalid = "invalid",
    }
);

axis!(
    /// The `disk_over_commit` member of `{"os-migrateLive": {...}}`: required at 2.1-2.24,
    /// an additional property (400) from 2.25.
    DiskOverCommit {
        Absent = "absent",
        True = "true",
        False = "false",
    }
);

/// Which server action a case sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// `{"migrate": ...}`: cold migration (every case before live migration joined).
    Migrate,
    /// `{"os-migrateLive": ...}`: live migration.
    MigrateLive,
}

impl Action {
    pub const ALL: &'static [Action] = &[Action::Migrate, Action::MigrateLive];
    /// The keyword of `--filter action=` and of reports: `cold` or `live`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Migrate => "cold",
            Self::MigrateLive => "live",
        }
    }
    /// The request body's action key.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Migrate => "migrate",
            Self::MigrateLive => "os-migrateLive",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

axis!(
    /// The server state a case starts from.
    Precondition {
        Active = "active",
        Shutoff = "shutoff",
        VerifyResize = "verify-resize",
        Paused = "paused",
        Suspended = "suspended",
        /// ACTIVE and locked by the admin
        Locked = "locked",
        /// a server id that does not exist
        Nonexistent = "nonexistent",
    }
);

axis!(
    /// Who sends the request (all in the server's project except `other`).
    Role {
        Admin = "admin",
        Manager = "manager",
        Member = "member",
        /// a member of another project
        Other = "other",
    }
);

impl Precondition {
    /// The server status this precondition shows (`None` for a missing server).
    pub fn status(&self) -> Option<&'static str> {
        match self {
            Self::Active | Self::Locked => Some("ACTIVE"),
            Self::Shutoff => Some("SHUTOFF"),
            Self::VerifyResize => Some("VERIFY_RESIZE"),
            Self::Paused => Some("PAUSED"),
            Self::Suspended => Some("SUSPENDED"),
            Self::Nonexistent => None,
        }
    }
}

/// The request body of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BodyShape {
    /// `{"migrate": {...}}` with the host and force members as given (both absent: `{}`)
    Migrate {
        host: HostVariant,
        force: ForceVariant,
    },
    Other(OtherBody),
    /// `{"os-migrateLive": {...}}` with the members as given (absent ones left out).
    Live {
        host: HostVariant,
        force: ForceVariant,
        block: BlockMigration,
        disk: DiskOverCommit,
    },
}

impl BodyShape {
    /// Every body: every host x JSON-typed force pair, then the other shapes.
    pub fn all() -> Vec<BodyShape> {
        let mut v = Vec::new();
        for &host in HostVariant::ALL {
            for &force in ForceVariant::TYPED {
                v.push(BodyShape::Migrate { host, force });
            }
        }
        v.extend(OtherBody::ALL.iter().map(|&o| BodyShape::Other(o)));
        v
    }

    /// Shape keyword: `migrate-object`, `live-object` or one of [`OtherBody`].
    pub fn shape(&self) -> &'static str {
        match self {
            Self::Migrate { .. } => "migrate-object",
            Self::Other(o) => o.as_str(),
            Self::Live { .. } => "live-object",
        }
    }

    pub fn host(&self) -> Option<HostVariant> {
        match self {
            Self::Migrate { host, .. } | Self::Live { host, .. } => Some(*host),
            Self::Other(_) => None,
        }
    }

    pub fn force(&self) -> Option<ForceVariant> {
        match self {
            Self::Migrate { force, .. } | Self::Live { force, .. } => Some(*force),
            Self::Other(_) => None,
        }
    }

    /// The action the body is for.
    pub fn action(&self) -> Action {
        match self {
            Self::Live { .. } => Action::MigrateLive,
            Self::Migrate { .. } | Self::Other(_) => Action::Migrate,
        }
    }

    pub fn is_live(&self) -> bool {
        self.action() == Action::MigrateLive
    }

    /// `block_migration` (live bodies only).
    pub fn block(&self) -> Option<BlockMigration> {
        match self {
            Self::Live { block, .. } => Some(*block),
            _ => None,
        }
    }

    /// `disk_over_commit` (live bodies only).
    pub fn disk(&self) -> Option<DiskOverCommit> {
        match self {
            Self::Live { disk, .. } => Some(*disk),
            _ => None,
        }
    }
}

impl std::fmt::Display for BodyShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Migrate { host, force } => write!(f, "host={host},force={force}"),
            Self::Other(o) => f.write_str(o.as_str()),
            Self::Live {
                host,
                force,
                block,
                disk,
            } => write!(
                f,
                "live host={host},force={force},block_migration={block},disk_over_commit={disk}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip() {
        for h in HostVariant::ALL {
            assert_eq!(h.as_str().parse::<HostVariant>().unwrap(), *h);
        }
        assert!("bogus".parse::<Role>().is_err());
    }

    #[test]
    fn every_host_force_pair_is_a_body() {
        let all = BodyShape::all();
        assert_eq!(
            all.len(),
            HostVariant::ALL.len() * ForceVariant::TYPED.len() + OtherBody::ALL.len()
        );
        assert!(all.contains(&BodyShape::Migrate {
            host: HostVariant::Null,
            force: ForceVariant::True
        }));
    }
}
