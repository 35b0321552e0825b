//! A small but real filter scheduler: the decisions Nova's FilterScheduler and
//! placement make for a cold migration, resize or boot.
//!
//! Filters, in Nova's order: requested destination (only that host), ignore_hosts
//! (the source unless same-host resize is allowed), ComputeFilter (service enabled
//! and up), then placement capacity (inventory minus allocations). Survivors are
//! weighed by free RAM (Nova's default RAMWeigher spreads), ties broken by name.

use crate::state::model::Resources;
use crate::state::store::State;

/// What to place.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestSpec {
    pub resources: Resources,
    pub ignore_hosts: Vec<String>,
    pub requested_host: Option<String>,
    /// Pike-spec `force`: place on `requested_host` without running the filters.
    pub force: bool,
}

/// Why no host was found (the reason goes into the instance fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoValidHost {
    pub reason: String,
}

impl NoValidHost {
    /// Nova's `NoValidHost` message.
    pub fn message(&self) -> String {
        format!("No valid host was found. {}", self.reason)
    }
}

/// Pick a host for `spec`.
pub(crate) fn select(st: &State, spec: &RequestSpec) -> Result<String, NoValidHost> {
    if let (true, Some(host)) = (spec.force, spec.requested_host.as_ref()) {
        return if st.hosts.contains_key(host) {
            Ok(host.clone())
        } else {
            Err(NoValidHost {
                reason: "There are not enough hosts available.".into(),
            })
        };
    }
    let mut best: Option<(u64, &str)> = None;
    for (name, host) in &st.hosts {
        if spec.requested_host.as_deref().is_some_and(|r| r != name) {
            continue;
        }
        if spec.ignore_hosts.iter().any(|h| h == name) {
            continue;
        }
        if !host.enabled || !host.is_up() {
            continue;
        }
        let free = match st.free_on(name) {
            Some(f) => f,
            None => continue,
        };
        let r = spec.resources;
        if free.vcpus < r.vcpus || free.memory_mb < r.memory_mb || free.disk_gb < r.disk_gb {
            continue;
        }
        let better = match best {
            None => true,
            Some((ram, _)) => free.memory_mb > ram,
        };
        if better {
            best = Some((free.memory_mb, name.as_str()));
        }
    }
    best.map(|(_, n)| n.to_string()).ok_or_else(|| NoValidHost {
        reason: "There are not enough hosts available.".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::state::seed::Seed;
    use chrono::Utc;
    use uuid::Uuid;

    fn st() -> State {
        State::seeded(&Config::default(), &Seed::default(), Utc::now())
    }

    fn tiny() -> Resources {
        Resources {
            vcpus: 1,
            memory_mb: 512,
            disk_gb: 1,
        }
    }

    #[test]
    fn filters_disabled_down_and_full_hosts() {
        let mut s = st();
        s.hosts.get_mut("compute1").unwrap().enabled = false;
        s.hosts.get_mut("compute2").unwrap().forced_down = true;
        let spec = RequestSpec {
            resources: tiny(),
            ..Default::default()
        };
        assert_eq!(select(&s, &spec).unwrap(), "compute3");
        s.allocate(
            Uuid::new_v4(),
            "compute3",
            Resources {
                vcpus: 16,
                memory_mb: 0,
                disk_gb: 0,
            },
        );
        assert!(select(&s, &spec).is_err());
    }

    #[test]
    fn requested_host_is_checked_and_force_skips_filters() {
        let mut s = st();
        s.hosts.get_mut("compute2").unwrap().enabled = false;
        let mut spec = RequestSpec {
            resources: tiny(),
            requested_host: Some("compute2".into()),
            ..Default::default()
        };
        assert!(select(&s, &spec).is_err());
        spec.force = true;
        assert_eq!(select(&s, &spec).unwrap(), "compute2");
    }

    #[test]
    fn spreads_by_free_ram_and_ignores_source() {
        let mut s = st();
        s.allocate(
            Uuid::new_v4(),
            "compute2",
            Resources {
                vcpus: 1,
                memory_mb: 4096,
                disk_gb: 1,
            },
        );
        let spec = RequestSpec {
            resources: tiny(),
            ignore_hosts: vec!["compute1".into()],
            ..Default::default()
        };
        assert_eq!(select(&s, &spec).unwrap(), "compute3");
    }

    /// Only compute3 is a candidate (compute1 disabled, compute2 down): the scheduler's
    /// answer for a request of `r` there.
    fn on_compute3(r: Resources) -> Result<String, NoValidHost> {
        let mut s = st();
        s.hosts.get_mut("compute1").unwrap().enabled = false;
        s.hosts.get_mut("compute2").unwrap().up = false;
        select(
            &s,
            &RequestSpec {
                resources: r,
                ..Default::default()
            },
        )
    }

    // Placement's capacity check is `used + requested <= total` for each resource class: a
    // request that fills a host exactly fits, one unit more of any single class does not.
    #[test]
    fn an_exact_fit_is_placed_and_one_unit_more_of_any_resource_is_not() {
        let free = st().free_on("compute3").unwrap();
        assert_eq!(on_compute3(free).unwrap(), "compute3");
        let more = [
            Resources {
                vcpus: free.vcpus + 1,
                ..free
            },
            Resources {
                memory_mb: free.memory_mb + 1,
                ..free
            },
            Resources {
                disk_gb: free.disk_gb + 1,
                ..free
            },
        ];
        for r in more {
            assert_eq!(
                on_compute3(r),
                Err(NoValidHost {
                    reason: "There are not enough hosts available.".into()
                }),
                "{r:?} on {free:?}"
            );
        }
    }

    // RAMWeigher ties (equal free RAM) go to the first host by name, so the mock's choice is
    // deterministic; a host with more free RAM wins over the first name.
    #[test]
    fn equal_free_ram_goes_to_the_first_name_and_more_free_ram_wins() {
        let mut s = st();
        let free = |s: &State, h: &str| s.free_on(h).unwrap().memory_mb;
        assert_eq!(free(&s, "compute1"), free(&s, "compute2"));
        assert_eq!(free(&s, "compute2"), free(&s, "compute3"));
        let spec = RequestSpec {
            resources: tiny(),
            ..Default::default()
        };
        assert_eq!(select(&s, &spec).unwrap(), "compute1");
        let half = Resources {
            vcpus: 0,
            memory_mb: 256,
            disk_gb: 0,
        };
        s.allocate(Uuid::new_v4(), "compute1", half);
        assert_eq!(select(&s, &spec).unwrap(), "compute2");
    }

    #[test]
    fn no_valid_host_message_is_novas() {
        let e = NoValidHost {
            reason: "There are not enough hosts available.".into(),
        };
        assert_eq!(
            e.message(),
            "No valid host was found. There are not enough hosts available."
        );
    }
}
