//! The Keystone v3 service catalog and endpoint selection by service type, interface and region.

use serde::Deserialize;

use crate::config::Interface;

/// The catalog of a token.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Catalog {
    /// The services in the order Keystone listed them.
    #[serde(default, rename = "catalog")]
    pub services: Vec<Service>,
}

/// One service of the catalog.
#[derive(Clone, Debug, Deserialize)]
pub struct Service {
    /// Service type, e.g. `compute`.
    #[serde(rename = "type")]
    pub service_type: String,
    /// Service name, e.g. `nova`.
    #[serde(default)]
    pub name: Option<String>,
    /// Its endpoints.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint of a service.
#[derive(Clone, Debug, Deserialize)]
pub struct Endpoint {
    /// `public`, `internal` or `admin`.
    pub interface: String,
    /// Region name (older Keystones) ...
    #[serde(default)]
    pub region: Option<String>,
    /// ... and region id (newer ones); either may match the configured region.
    #[serde(default)]
    pub region_id: Option<String>,
    /// Base URL.
    pub url: String,
}

impl Catalog {
    /// The URL of the first endpoint of `service_type` with `interface`, in `region` when given
    /// (matched against the endpoint's region or region id). Service types match exactly,
    /// and `-`/`_` alike (`block-storage` / `block_storage`).
    pub fn find(
        &self,
        service_type: &str,
        interface: Interface,
        region: Option<&str>,
    ) -> Option<&str> {
        let wanted = service_type.replace('_', "-");
        self.services
            .iter()
            .filter(|s| s.service_type.replace('_', "-") == wanted)
            .flat_map(|s| s.endpoints.iter())
            .find(|e| {
                e.interface.parse::<Interface>().ok() == Some(interface)
                    && region.is_none_or(|r| {
                        e.region.as_deref() == Some(r) || e.region_id.as_deref() == Some(r)
                    })
            })
            .map(|e| e.url.as_str())
    }

    /// `type/interface/region` of every endpoint, for error messages.
    pub fn describe(&self) -> String {
        let items: Vec<String> = self
            .services
            .iter()
            .flat_map(|s| {
                s.endpoints.iter().map(move |e| {
                    format!(
                        "{}/{}/{}",
                        s.service_type,
                        e.interface,
                        e.region_id
                            .as_deref()
                            .or(e.region.as_deref())
                            .unwrap_or("-")
                    )
                })
            })
            .collect();
        if items.is_empty() {
            "(empty catalog)".to_owned()
        } else {
            items.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> Catalog {
        serde_json::from_value(json!({"catalog": [
            {"type": "compute", "name": "nova", "endpoints": [
                {"interface": "public", "region": "R1", "region_id": "R1", "url": "http://pub1/v2.1"},
                {"interface": "internal", "region": "R1", "region_id": "R1", "url": "http://int1/v2.1"},
                {"interface": "public", "region_id": "R2", "url": "http://pub2/v2.1"}
            ]},
            {"type": "image", "endpoints": [{"interface": "public", "url": "http://img"}]}
        ]}))
        .unwrap()
    }

    #[test]
    fn selects_by_interface_and_region() {
        let c = catalog();
        assert_eq!(
            c.find("compute", Interface::Public, None),
            Some("http://pub1/v2.1")
        );
        assert_eq!(
            c.find("compute", Interface::Public, Some("R2")),
            Some("http://pub2/v2.1")
        );
        assert_eq!(
            c.find("compute", Interface::Internal, Some("R1")),
            Some("http://int1/v2.1")
        );
        assert_eq!(c.find("compute", Interface::Internal, Some("R2")), None);
        assert_eq!(c.find("compute", Interface::Admin, None), None);
        assert_eq!(c.find("network", Interface::Public, None), None);
        assert_eq!(c.find("image", Interface::Public, None), Some("http://img"));
    }

    #[test]
    fn describes_for_errors() {
        assert!(catalog().describe().contains("compute/internal/R1"));
        assert_eq!(Catalog::default().describe(), "(empty catalog)");
    }
}
