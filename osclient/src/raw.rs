//! Untyped clouds.yaml documents: parsing, key normalisation and merging, with the semantics
//! of `openstack.config` (`_util.normalize_keys`, `_util.merge_clouds`).

use serde_json::{Map, Value};

use crate::error::Error;

/// A mapping from a clouds.yaml/secure.yaml document or an `OS_*` environment.
pub(crate) type Raw = Map<String, Value>;

/// Parses a clouds.yaml / secure.yaml / clouds.json document (YAML is a superset of the JSON
/// used there) into a mapping. An empty document is an empty mapping. Keys are kept as written:
/// cloud names such as `mockcloud-admin` must not change; [`normalize_keys`] is applied to one
/// cloud's settings when it is built.
pub(crate) fn parse_document(text: &str, origin: &str) -> Result<Raw, Error> {
    if text.trim().is_empty() {
        return Ok(Raw::new());
    }
    check_flow_nesting(text, origin)?;
    let value: Value = serde_yaml::from_str(text).map_err(|e| Error::ConfigParse {
        origin: origin.to_owned(),
        reason: e.to_string(),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Raw::new()),
        other => Err(Error::ConfigParse {
            origin: origin.to_owned(),
            reason: format!("the document is a {}, not a mapping", kind(&other)),
        }),
    }
}

/// Deepest flow nesting (`[`/`{`) accepted before parsing.
const MAX_FLOW_NESTING: usize = 1000;

/// serde_yaml rejects nesting deeper than 128, but only after libyaml has scanned the whole
/// nest, which takes time quadratic in its depth (100,000 `[` took 48 s in a debug build).
/// Counting brackets first keeps a hostile or corrupted file from hanging the tool. Brackets
/// inside quoted or plain scalars are counted too: only a document with over 1,000 unclosed
/// brackets in its values could be rejected wrongly.
fn check_flow_nesting(text: &str, origin: &str) -> Result<(), Error> {
    let mut depth = 0usize;
    for c in text.bytes() {
        match c {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_NESTING {
                    return Err(Error::ConfigParse {
                        origin: origin.to_owned(),
                        reason: format!("nesting deeper than {MAX_FLOW_NESTING} levels"),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The `clouds:` mapping of a document (empty when absent).
pub(crate) fn clouds_of(doc: &Raw, origin: &str) -> Result<Raw, Error> {
    match doc.get("clouds") {
        None | Some(Value::Null) => Ok(Raw::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(other) => Err(Error::ConfigParse {
            origin: origin.to_owned(),
            reason: format!("'clouds' is a {}, not a mapping", kind(other)),
        }),
    }
}

/// `openstack.config` accepts `-` and `_` alike in keys (`project-name`); we store `_`.
pub(crate) fn normalize_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.replace('-', "_"), normalize_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalize_keys).collect()),
        other => other,
    }
}

/// Deep merge: mappings merge recursively, anything else in `new` replaces `old`
/// (how secure.yaml is laid over clouds.yaml).
pub(crate) fn merge(old: &mut Raw, new: &Raw) {
    for (k, v) in new {
        match (old.get_mut(k), v) {
            (Some(Value::Object(o)), Value::Object(n)) => merge(o, n),
            _ => {
                old.insert(k.clone(), v.clone());
            }
        }
    }
}

/// A scalar as a string: strings as is, numbers and booleans printed (clouds.yaml often has
/// `project_id: 12345` or `compute_api_version: 2.56` as numbers). Empty strings count as unset.
pub(crate) fn scalar(value: Option<&Value>) -> Option<String> {
    let s = match value? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

/// A boolean: YAML booleans, or strings true/yes/1/on (case-insensitive). `openstack.config`
/// only accepts `true`; we also accept the usual spellings so `OS_INSECURE=1` does what it says.
pub(crate) fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_f64().is_some_and(|f| f != 0.0)),
        Value::String(s) => Some(matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "true" | "yes" | "1" | "on"
        )),
        _ => None,
    }
}

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_is_deep_and_new_wins() {
        let mut old = json!({"clouds": {"a": {"auth": {"username": "u", "password": "old"}, "region_name": "R1"}}})
            .as_object()
            .unwrap()
            .clone();
        let new = json!({"clouds": {"a": {"auth": {"password": "new"}}}})
            .as_object()
            .unwrap()
            .clone();
        merge(&mut old, &new);
        assert_eq!(
            Value::Object(old),
            json!({"clouds": {"a": {"auth": {"username": "u", "password": "new"}, "region_name": "R1"}}})
        );
    }

    #[test]
    fn dashes_become_underscores_recursively_but_not_in_cloud_names() {
        let doc = parse_document(
            "clouds:\n  my-cloud:\n    auth:\n      project-name: p\n",
            "t",
        )
        .unwrap();
        let cloud = normalize_keys(doc["clouds"]["my-cloud"].clone());
        assert_eq!(cloud["auth"]["project_name"], json!("p"));
    }

    #[test]
    fn non_mapping_document_is_an_error() {
        let e = parse_document("- a\n- b\n", "x.yaml").unwrap_err();
        assert!(e.to_string().contains("x.yaml"), "{e}");
        assert!(e.to_string().contains("list"), "{e}");
    }

    #[test]
    fn scalars_and_booleans() {
        assert_eq!(scalar(Some(&json!(2.56))).as_deref(), Some("2.56"));
        assert_eq!(scalar(Some(&json!(""))), None);
        assert_eq!(boolean(Some(&json!("1"))), Some(true));
        assert_eq!(boolean(Some(&json!("False"))), Some(false));
        assert_eq!(boolean(None), None);
    }
}
