//! clouds.yaml for the seeded users (`mockcloud-<cloud>` entries).

use crate::state::seed::SeededCredential;
use serde_json::json;

/// Render a clouds.yaml with one cloud per seeded credential.
pub(crate) fn render(auth_url: &str, creds: &[SeededCredential]) -> String {
    let mut clouds = serde_json::Map::new();
    for c in creds {
        clouds.insert(
            format!("mockcloud-{}", c.cloud),
            json!({
                "auth": {
                    "auth_url": auth_url,
                    "username": c.username,
                    "password": c.password,
                    "project_name": c.project,
                    "user_domain_name": c.user_domain,
                    "project_domain_name": c.project_domain
                },
                "auth_type": "password",
                "region_name": "RegionOne",
                "interface": "public",
                "identity_api_version": 3
            }),
        );
    }
    serde_yaml::to_string(&json!({ "clouds": clouds })).unwrap_or_default()
}
