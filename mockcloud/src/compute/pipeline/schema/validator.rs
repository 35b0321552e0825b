//! A JSON-Schema (draft 2020-12 subset) validator that reports errors the way
//! Nova does: the *first* error in Python jsonschema's iteration order, rendered
//! as "Invalid input for field/attribute <last path element>. Value: <str>. <message>".
//!
//! Hand-written on purpose: the `jsonschema` crate has its own message texts and
//! error order, and the conformance contract is Nova's exact bytes. Only the
//! keywords Nova's schemas for the mock's endpoints use are supported:
//! type, properties, additionalProperties, required, enum, pattern, minLength,
//! maxLength, minimum, maximum, items, maxItems, oneOf, format (uuid).

use crate::pyfmt;
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One schema violation, already rendered as Nova's `ValidationError` detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaError {
    pub detail: String,
}

struct RawError {
    path: Vec<String>,
    instance: Value,
    message: String,
}

/// Which jsonschema release's wording: the one the configured Nova series installs with
/// (the release table's `empty_host` fact). jsonschema 4.21 reworded the length and size
/// bounds of 0 and 1 ("should be non-empty", "is expected to be empty"); older releases say
/// "is too short" / "is too long" for every bound.
pub(crate) type Dialect = nova_releases::EmptyHostMessage;

/// Validate a request body; `Err` carries the detail text of Nova's 400 (newest wording).
#[cfg(test)]
pub(crate) fn validate_body(schema: &Value, instance: &Value) -> Result<(), SchemaError> {
    validate_body_as(schema, instance, Dialect::NonEmpty)
}

/// [`validate_body`] in the wording of `dialect`.
pub(crate) fn validate_body_as(
    schema: &Value,
    instance: &Value,
    dialect: Dialect,
) -> Result<(), SchemaError> {
    check(schema, instance, "field/attribute", dialect, |path| {
        path.last()
    })
}

/// Validate query parameters given as `{name: [values...]}` (Nova's multi-dict form).
pub(crate) fn validate_query(
    schema: &Value,
    instance: &Value,
    dialect: Dialect,
) -> Result<(), SchemaError> {
    // The parameter's name is the path's first element (the rest indexes its value list).
    check(schema, instance, "query parameters", dialect, |path| {
        path.first()
    })
}

/// Runs the validator and words its first error as Nova's `ValidationError` does: the field
/// named by `field_of`, the offending value as Python's `str()`, then jsonschema's message.
fn check(
    schema: &Value,
    instance: &Value,
    what: &str,
    dialect: Dialect,
    field_of: fn(&[String]) -> Option<&String>,
) -> Result<(), SchemaError> {
    match first_error(schema, instance, &mut Vec::new(), dialect) {
        None => Ok(()),
        Some(e) => Err(SchemaError {
            detail: match field_of(&e.path) {
                Some(field) => format!(
                    "Invalid input for {} {}. Value: {}. {}",
                    what,
                    field,
                    pyfmt::str_of(&e.instance),
                    e.message
                ),
                None => e.message,
            },
        }),
    }
}

fn err(path: &[String], instance: &Value, message: String) -> Option<RawError> {
    Some(RawError {
        path: path.to_vec(),
        instance: instance.clone(),
        message,
    })
}

fn is_type(instance: &Value, ty: &str) -> bool {
    match ty {
        "object" => instance.is_object(),
        "array" => instance.is_array(),
        "string" => instance.is_string(),
        "null" => instance.is_null(),
        "boolean" => instance.is_boolean(),
        "number" => instance.is_number(),
        // Draft 2020-12 (Nova 30.0.0+): any number without a fractional part, 2.0
        // included (every i64/u64 is integral as f64 too). Draft 4, before 30.0.0, took
        // only integer literals; the mock does not model that.
        "integer" => instance.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

fn py_len(s: &str) -> usize {
    s.chars().count()
}

/// A Python `re` pattern as Rust regexes. The `regex` crate has no look-around, so the
/// one form Nova's schemas use (`^(?!A)...(?<!C)$`, e.g. flavor ids: no leading or trailing
/// space) is split into the body and two anchored negative checks.
#[derive(Clone)]
struct PyPattern {
    body: Regex,
    /// `(?!A)` right after `^`: the string must not start with A.
    not_at_start: Option<Regex>,
    /// `(?<!C)` right before `$`: the string must not end with C.
    not_at_end: Option<Regex>,
}

impl PyPattern {
    fn is_match(&self, s: &str) -> bool {
        if self.not_at_start.as_ref().is_some_and(|r| r.is_match(s)) {
            return false;
        }
        // Python's `$` also matches before one trailing newline.
        let end = s.strip_suffix('\n').unwrap_or(s);
        if self.not_at_end.as_ref().is_some_and(|r| r.is_match(end)) {
            return false;
        }
        self.body.is_match(s)
    }
}

/// Split a `(?!A)` group right after a leading `^` off the pattern (A without parentheses).
fn split_lookahead(p: &str) -> (Option<&str>, String) {
    if let Some(rest) = p.strip_prefix("^(?!") {
        if let Some(close) = rest.find(')') {
            if !rest[..close].contains('(') {
                return (Some(&rest[..close]), format!("^{}", &rest[close + 1..]));
            }
        }
    }
    (None, p.to_string())
}

/// Split a `(?<!C)` group right before a trailing `$` off the pattern (C without parentheses).
fn split_lookbehind(p: &str) -> (Option<String>, String) {
    if let Some(rest) = p.strip_suffix(")$") {
        if let Some(open) = rest.rfind("(?<!") {
            let atom = &rest[open + 4..];
            if !atom.contains('(') && !atom.contains(')') {
                return (Some(atom.to_string()), format!("{}$", &rest[..open]));
            }
        }
    }
    (None, p.to_string())
}

fn compile_python_pattern(p: &str) -> Option<PyPattern> {
    static CACHE: OnceLock<parking_lot::Mutex<HashMap<String, Option<PyPattern>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache.lock();
    if let Some(r) = guard.get(p) {
        return r.clone();
    }
    let (ahead, rest) = split_lookahead(p);
    let (behind, body) = split_lookbehind(&rest);
    let compiled = (|| {
        Some(PyPattern {
            body: translate(&body)?,
            not_at_start: match ahead {
                Some(a) => Some(translate(&format!("^(?:{a})"))?),
                None => None,
            },
            not_at_end: match behind {
                Some(c) => Some(translate(&format!("(?:{c})\\z"))?),
                None => None,
            },
        })
    })();
    guard.insert(p.to_string(), compiled.clone());
    compiled
}

/// Translate a Python `re` pattern used by Nova's schemas into Rust `regex` syntax:
/// a `-` after a class range is literal in Python; a final `$` also matches before
/// a trailing newline in Python.
fn translate(p: &str) -> Option<Regex> {
    let mut out = String::with_capacity(p.len() + 8);
    let mut in_class = false;
    let mut prev_was_range_end = false;
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            out.push(c);
            out.push(chars[i + 1]);
            i += 2;
            prev_was_range_end = false;
            continue;
        }
        if in_class {
            if c == ']' {
                in_class = false;
                out.push(c);
            } else if c == '-' {
                let next_is_end = chars.get(i + 1) == Some(&']');
                if prev_was_range_end || next_is_end || out.ends_with('[') {
                    out.push_str("\\-");
                    prev_was_range_end = false;
                } else {
                    out.push('-');
                    if let Some(n) = chars.get(i + 1) {
                        out.push(*n);
                        i += 1;
                    }
                    prev_was_range_end = true;
                }
            } else {
                out.push(c);
                prev_was_range_end = false;
            }
        } else if c == '[' {
            in_class = true;
            out.push(c);
            prev_was_range_end = false;
        } else if c == '$' && i + 1 == chars.len() {
            out.push_str("\\n?\\z");
        } else {
            out.push(c);
        }
        i += 1;
    }
    Regex::new(&out).ok()
}

/// Nova's `date-time` format check (`timeutils.parse_isotime`): RFC 3339, or ISO 8601
/// without an offset (read as UTC), with or without fractional seconds. Also what the
/// handlers use to read the value once the schema passed.
pub(crate) fn parse_date_time(v: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&chrono::Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc())
        })
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S").map(|n| n.and_utc())
        })
        .ok()
}

/// A `patternProperties` key as Python's `re.search` uses it (unanchored).
fn compile_python_pattern_search(p: &str) -> Option<Regex> {
    translate(p)
}

fn is_uuid_like(s: &str) -> bool {
    // oslo uuidutils.is_uuid_like: str(uuid.UUID(val)).replace('-', '') == val.replace('-', '').lower()
    let stripped: String = s.chars().filter(|c| *c != '-').collect();
    match uuid::Uuid::parse_str(s) {
        Ok(u) => u.simple().to_string() == stripped.to_lowercase(),
        Err(_) => false,
    }
}

fn first_error(
    schema: &Value,
    instance: &Value,
    path: &mut Vec<String>,
    d: Dialect,
) -> Option<RawError> {
    let obj = match schema {
        Value::Object(o) => o,
        _ => return None,
    };
    for (key, kv) in obj {
        let found = match key.as_str() {
            "type" => check_type(kv, instance, path),
            "properties" => check_properties(kv, instance, path, d),
            "additionalProperties" => check_additional(obj, kv, instance, path, d),
            "patternProperties" => check_pattern_properties(kv, instance, path, d),
            "required" => check_required(kv, instance, path),
            "enum" => {
                let allowed = kv.as_array().cloned().unwrap_or_default();
                if allowed.iter().any(|a| py_equal(a, instance)) {
                    None
                } else {
                    err(
                        path,
                        instance,
                        format!(
                            "{} is not one of {}",
                            pyfmt::repr(instance),
                            pyfmt::repr(kv)
                        ),
                    )
                }
            }
            "pattern" => match (instance, kv.as_str()) {
                (Value::String(s), Some(p)) => match compile_python_pattern(p) {
                    Some(re) if !re.is_match(s) => err(
                        path,
                        instance,
                        format!(
                            "{} does not match {}",
                            pyfmt::repr(instance),
                            pyfmt::repr_str(p)
                        ),
                    ),
                    _ => None,
                },
                _ => None,
            },
            "minLength" => match (instance, kv.as_u64()) {
                (Value::String(s), Some(min)) if (py_len(s) as u64) < min => {
                    let m = if min == 1 && d == Dialect::NonEmpty {
                        "should be non-empty"
                    } else {
                        "is too short"
                    };
                    err(path, instance, format!("{} {}", pyfmt::repr(instance), m))
                }
                _ => None,
            },
            "maxLength" => match (instance, kv.as_u64()) {
                (Value::String(s), Some(max)) if (py_len(s) as u64) > max => {
                    let m = if max == 0 && d == Dialect::NonEmpty {
                        "is expected to be empty"
                    } else {
                        "is too long"
                    };
                    err(path, instance, format!("{} {}", pyfmt::repr(instance), m))
                }
                _ => None,
            },
            "maxItems" => match (instance, kv.as_u64()) {
                (Value::Array(a), Some(max)) if (a.len() as u64) > max => {
                    let m = if max == 0 && d == Dialect::NonEmpty {
                        "is expected to be empty"
                    } else {
                        "is too long"
                    };
                    err(path, instance, format!("{} {}", pyfmt::repr(instance), m))
                }
                _ => None,
            },
            "minimum" | "maximum" => check_bound(key, kv, instance, path),
            "items" => match instance {
                Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                    path.push(i.to_string());
                    let e = first_error(kv, item, path, d);
                    path.pop();
                    e
                }),
                _ => None,
            },
            "oneOf" => check_one_of(kv, instance, path, d),
            "format" => match (kv.as_str(), instance) {
                (Some("uuid"), Value::String(s)) if !is_uuid_like(s) => err(
                    path,
                    instance,
                    format!("{} is not a 'uuid'", pyfmt::repr(instance)),
                ),
                (Some("date-time"), Value::String(s)) if parse_date_time(s).is_none() => err(
                    path,
                    instance,
                    format!("{} is not a 'date-time'", pyfmt::repr(instance)),
                ),
                _ => None,
            },
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// jsonschema's `equal` for enum membership: numbers compare by value (1 == 1.0), but a
/// boolean equals only a boolean. jsonschema (3.0 and later) keeps True apart from 1,
/// unlike Python's own `==`.
fn py_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn check_type(kv: &Value, instance: &Value, path: &[String]) -> Option<RawError> {
    let types: Vec<&str> = match kv {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(|t| t.as_str()).collect(),
        _ => return None,
    };
    if types.iter().any(|t| is_type(instance, t)) {
        return None;
    }
    let reprs: Vec<String> = types.iter().map(|t| pyfmt::repr_str(t)).collect();
    err(
        path,
        instance,
        format!(
            "{} is not of type {}",
            pyfmt::repr(instance),
            reprs.join(", ")
        ),
    )
}

fn check_properties(
    kv: &Value,
    instance: &Value,
    path: &mut Vec<String>,
    d: Dialect,
) -> Option<RawError> {
    let (props, inst) = match (kv, instance) {
        (Value::Object(p), Value::Object(i)) => (p, i),
        _ => return None,
    };
    for (name, sub) in props {
        if let Some(v) = inst.get(name) {
            path.push(name.clone());
            let e = first_error(sub, v, path, d);
            path.pop();
            if e.is_some() {
                return e;
            }
        }
    }
    None
}

/// The property names `patternProperties` (a map of Python patterns) matches.
fn pattern_matches(patterns: Option<&Map<String, Value>>, name: &str) -> bool {
    patterns.is_some_and(|ps| {
        ps.keys()
            .any(|p| compile_python_pattern_search(p).is_some_and(|re| re.is_match(name)))
    })
}

/// `patternProperties`: each property whose name a pattern finds (Python's `re.search`)
/// is checked against that pattern's schema.
fn check_pattern_properties(
    kv: &Value,
    instance: &Value,
    path: &mut Vec<String>,
    d: Dialect,
) -> Option<RawError> {
    let (patterns, inst) = match (kv, instance) {
        (Value::Object(p), Value::Object(i)) => (p, i),
        _ => return None,
    };
    for (pattern, sub) in patterns {
        let re = compile_python_pattern_search(pattern)?;
        for (name, v) in inst.iter().filter(|(k, _)| re.is_match(k)) {
            path.push(name.clone());
            let e = first_error(sub, v, path, d);
            path.pop();
            if e.is_some() {
                return e;
            }
        }
    }
    None
}

fn check_additional(
    schema: &Map<String, Value>,
    kv: &Value,
    instance: &Value,
    path: &mut Vec<String>,
    d: Dialect,
) -> Option<RawError> {
    let inst = instance.as_object()?;
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(|p| p.as_object())
        .unwrap_or(&empty);
    let patterns = schema.get("patternProperties").and_then(|p| p.as_object());
    let mut extras: Vec<&String> = inst
        .keys()
        .filter(|k| !props.contains_key(*k) && !pattern_matches(patterns, k))
        .collect();
    if extras.is_empty() {
        return None;
    }
    match kv {
        // jsonschema words it differently when the schema has patternProperties.
        Value::Bool(false) if patterns.is_some() => {
            extras.sort();
            let verb = if extras.len() == 1 { "does" } else { "do" };
            let joined: Vec<String> = extras.iter().map(|e| pyfmt::repr_str(e)).collect();
            let mut names: Vec<&String> = patterns.into_iter().flat_map(|p| p.keys()).collect();
            names.sort();
            let pats: Vec<String> = names.iter().map(|p| pyfmt::repr_str(p)).collect();
            err(
                path,
                instance,
                format!(
                    "{} {verb} not match any of the regexes: {}",
                    joined.join(", "),
                    pats.join(", ")
                ),
            )
        }
        Value::Bool(false) => {
            extras.sort();
            let verb = if extras.len() == 1 { "was" } else { "were" };
            let joined: Vec<String> = extras.iter().map(|e| pyfmt::repr_str(e)).collect();
            err(
                path,
                instance,
                format!(
                    "Additional properties are not allowed ({} {} unexpected)",
                    joined.join(", "),
                    verb
                ),
            )
        }
        Value::Object(_) => extras.iter().find_map(|k| {
            path.push((*k).clone());
            let e = first_error(kv, &inst[*k], path, d);
            path.pop();
            e
        }),
        _ => None,
    }
}

fn check_required(kv: &Value, instance: &Value, path: &[String]) -> Option<RawError> {
    let inst = instance.as_object()?;
    for name in kv.as_array()?.iter().filter_map(|n| n.as_str()) {
        if !inst.contains_key(name) {
            return err(
                path,
                instance,
                format!("{} is a required property", pyfmt::repr_str(name)),
            );
        }
    }
    None
}

/// Nova's minimum/maximum also accept numeric strings ("10").
fn check_bound(key: &str, kv: &Value, instance: &Value, path: &[String]) -> Option<RawError> {
    let bound = kv.as_f64()?;
    let (value, shown): (f64, Value) = match instance {
        Value::Number(n) => (n.as_f64()?, instance.clone()),
        Value::String(s) => {
            let t = s.trim();
            if let Ok(i) = t.parse::<i64>() {
                (i as f64, Value::from(i))
            } else if let Ok(f) = t.parse::<f64>() {
                (f, Value::from(f))
            } else {
                return None;
            }
        }
        _ => return None,
    };
    if key == "minimum" && value < bound {
        return err(
            path,
            instance,
            format!(
                "{} is less than the minimum of {}",
                pyfmt::repr(&shown),
                pyfmt::repr(kv)
            ),
        );
    }
    if key == "maximum" && value > bound {
        return err(
            path,
            instance,
            format!(
                "{} is greater than the maximum of {}",
                pyfmt::repr(&shown),
                pyfmt::repr(kv)
            ),
        );
    }
    None
}

fn check_one_of(kv: &Value, instance: &Value, path: &[String], d: Dialect) -> Option<RawError> {
    let subs = kv.as_array()?;
    let valid: Vec<&Value> = subs
        .iter()
        .filter(|s| first_error(s, instance, &mut Vec::new(), d).is_none())
        .collect();
    match valid.len() {
        1 => None,
        0 => err(
            path,
            instance,
            format!(
                "{} is not valid under any of the given schemas",
                pyfmt::repr(instance)
            ),
        ),
        _ => {
            // jsonschema lists the branches valid after the first valid one, then that one.
            let reprs: Vec<String> = valid
                .iter()
                .skip(1)
                .chain(valid.first())
                .map(|v| pyfmt::repr(v))
                .collect();
            err(
                path,
                instance,
                format!(
                    "{} is valid under each of {}",
                    pyfmt::repr(instance),
                    reprs.join(", ")
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_pattern_translation() {
        let re = compile_python_pattern("^[a-zA-Z0-9-._]*$").unwrap();
        assert!(re.is_match("compute-1.example_x"));
        assert!(re.is_match("host\n"));
        assert!(!re.is_match("bad host!"));
    }

    #[test]
    fn python_lookaround_at_the_ends() {
        // Nova's flavor id: no leading or trailing space.
        let re = compile_python_pattern("^(?! )[a-zA-Z0-9. _-]+(?<! )$").unwrap();
        assert!(re.is_match("m1.tiny"));
        assert!(re.is_match("a b"));
        assert!(re.is_match("1359199427"));
        assert!(!re.is_match(" a"));
        assert!(!re.is_match("a "));
        assert!(!re.is_match("a/b"));
        assert!(!re.is_match(""));
    }

    #[test]
    fn uuid_like() {
        assert!(is_uuid_like("9a5f7c3e-0c1a-4b1c-9d4c-2f1b2a3c4d5e"));
        assert!(is_uuid_like("9a5f7c3e0c1a4b1c9d4c2f1b2a3c4d5e"));
        assert!(!is_uuid_like("nope"));
    }

    #[test]
    fn required_message_without_path() {
        let schema = json!({"type": "object", "required": ["migrate"]});
        let e = validate_body(&schema, &json!({})).unwrap_err();
        assert_eq!(e.detail, "'migrate' is a required property");
    }
    /// The detail of Nova's 400 for `body` under `schema`, or "valid" when it passes.
    fn body(schema: &Value, body: Value) -> String {
        body_as(schema, body, Dialect::NonEmpty)
    }

    fn body_as(schema: &Value, body: Value, d: Dialect) -> String {
        match validate_body_as(schema, &body, d) {
            Ok(()) => "valid".into(),
            Err(e) => e.detail,
        }
    }

    fn query(schema: &Value, q: Value) -> String {
        match validate_query(schema, &q, Dialect::NonEmpty) {
            Ok(()) => "valid".into(),
            Err(e) => e.detail,
        }
    }

    #[test]
    fn draft_2020_12_types() {
        // Nova 30.0.0+ validates with jsonschema's Draft202012Validator: bools are neither
        // integers nor numbers, an integral float is an integer, a string is not a number.
        let s = json!({"type": "object", "properties": {
            "i": {"type": "integer"},
            "n": {"type": "number"},
            "b": {"type": "boolean"},
            "s": {"type": "string"},
            "z": {"type": ["null", "array"]}
        }});
        let field = |k: &str, v: Value| body(&s, json!({ k: v }));
        assert_eq!(field("i", json!(3)), "valid");
        assert_eq!(field("i", json!(-3)), "valid");
        assert_eq!(field("i", json!(u64::MAX)), "valid");
        assert_eq!(field("i", json!(2.0)), "valid");
        assert_eq!(
            field("i", json!(2.5)),
            "Invalid input for field/attribute i. Value: 2.5. 2.5 is not of type 'integer'"
        );
        assert_eq!(
            field("i", json!(true)),
            "Invalid input for field/attribute i. Value: True. True is not of type 'integer'"
        );
        assert_eq!(
            field("i", json!("3")),
            "Invalid input for field/attribute i. Value: 3. '3' is not of type 'integer'"
        );
        assert_eq!(field("n", json!(2.5)), "valid");
        assert_eq!(field("n", json!(-7)), "valid");
        assert_eq!(
            field("n", json!(false)),
            "Invalid input for field/attribute n. Value: False. False is not of type 'number'"
        );
        assert_eq!(
            field("n", json!("1")),
            "Invalid input for field/attribute n. Value: 1. '1' is not of type 'number'"
        );
        assert_eq!(field("b", json!(false)), "valid");
        assert_eq!(
            field("b", json!(0)),
            "Invalid input for field/attribute b. Value: 0. 0 is not of type 'boolean'"
        );
        assert_eq!(field("s", json!("")), "valid");
        assert_eq!(
            field("s", json!(["x"])),
            "Invalid input for field/attribute s. Value: ['x']. ['x'] is not of type 'string'"
        );
        assert_eq!(field("z", json!(null)), "valid");
        assert_eq!(field("z", json!([])), "valid");
        assert_eq!(
            field("z", json!({})),
            "Invalid input for field/attribute z. Value: {}. {} is not of type 'null', 'array'"
        );
    }

    #[test]
    fn length_bounds_count_characters_in_both_wordings() {
        // jsonschema >= 4.21 words a bound of 1 (minLength) and 0 (maxLength) apart;
        // older releases say "is too short" / "is too long" for every bound.
        let s = json!({"type": "object", "properties": {
            "one": {"type": "string", "minLength": 1},
            "two": {"type": "string", "minLength": 2},
            "none": {"type": "string", "maxLength": 0},
            "three": {"type": "string", "maxLength": 3}
        }});
        let both = |k: &str, v: &str| {
            [Dialect::NonEmpty, Dialect::TooShort].map(|d| body_as(&s, json!({ k: v }), d))
        };
        assert_eq!(
            both("one", ""),
            [
                "Invalid input for field/attribute one. Value: . '' should be non-empty",
                "Invalid input for field/attribute one. Value: . '' is too short"
            ]
        );
        assert_eq!(both("one", "x"), ["valid", "valid"]);
        assert_eq!(
            both("two", "x"),
            [
                "Invalid input for field/attribute two. Value: x. 'x' is too short",
                "Invalid input for field/attribute two. Value: x. 'x' is too short"
            ]
        );
        // Python's len() counts code points: "é" is one character (two UTF-8 bytes).
        assert_eq!(
            both("two", "é"),
            [
                "Invalid input for field/attribute two. Value: é. 'é' is too short",
                "Invalid input for field/attribute two. Value: é. 'é' is too short"
            ]
        );
        assert_eq!(both("two", "xy"), ["valid", "valid"]);
        assert_eq!(
            both("none", "x"),
            [
                "Invalid input for field/attribute none. Value: x. 'x' is expected to be empty",
                "Invalid input for field/attribute none. Value: x. 'x' is too long"
            ]
        );
        assert_eq!(both("none", ""), ["valid", "valid"]);
        assert_eq!(both("three", "ééé"), ["valid", "valid"]);
        assert_eq!(
            both("three", "abcd"),
            [
                "Invalid input for field/attribute three. Value: abcd. 'abcd' is too long",
                "Invalid input for field/attribute three. Value: abcd. 'abcd' is too long"
            ]
        );
        // Length keywords ignore non-strings.
        assert_eq!(
            body(&json!({"minLength": 2, "maxLength": 0}), json!(5)),
            "valid"
        );
    }

    #[test]
    fn query_errors_name_the_parameter() {
        // Nova's migrations query schema (2.59+): single-valued parameters are lists of at
        // most one item. The message names the parameter (Nova pops the path's first
        // element for query parameters), the value is the offending item.
        let single = |s: Value| json!({"type": "array", "items": s, "maxItems": 1});
        let s = json!({
            "type": "object",
            "properties": {
                "limit": single(json!({"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1})),
                "marker": single(json!({"type": "string"})),
                "changes-since": single(json!({"type": "string", "format": "date-time"})),
                "none": {"type": "array", "maxItems": 0}
            },
            "additionalProperties": false
        });
        assert_eq!(
            query(&s, json!({"limit": ["-1"]})),
            "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'"
        );
        assert_eq!(
            query(&s, json!({"limit": [""]})),
            "Invalid input for query parameters limit. Value: . '' should be non-empty"
        );
        assert_eq!(
            query(&s, json!({"marker": ["A", "B"]})),
            "Invalid input for query parameters marker. Value: ['A', 'B']. ['A', 'B'] is too long"
        );
        assert_eq!(
            query(&s, json!({"changes-since": ["wrong_time"]})),
            "Invalid input for query parameters changes-since. Value: wrong_time. 'wrong_time' is not a 'date-time'"
        );
        assert_eq!(
            query(&s, json!({"none": ["x"]})),
            "Invalid input for query parameters none. Value: ['x']. ['x'] is expected to be empty"
        );
        assert_eq!(
            validate_query(&s, &json!({"none": ["x"]}), Dialect::TooShort)
                .unwrap_err()
                .detail,
            "Invalid input for query parameters none. Value: ['x']. ['x'] is too long"
        );
        assert_eq!(
            query(&s, json!({"foo": ["1"]})),
            "Additional properties are not allowed ('foo' was unexpected)"
        );
        assert_eq!(
            query(
                &s,
                json!({"limit": ["5"], "marker": ["m"], "changes-since": ["2024-05-06T07:08:09Z"], "none": []})
            ),
            "valid"
        );
    }

    #[test]
    fn body_errors_name_the_innermost_element() {
        // Nova pops the path's last element: an item's index, or the innermost property.
        let s = json!({"type": "object", "properties": {
            "tags": {"type": "array", "items": {"type": "string"}},
            "groups": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}
        }});
        assert_eq!(
            body(&s, json!({"tags": ["a", 5]})),
            "Invalid input for field/attribute 1. Value: 5. 5 is not of type 'string'"
        );
        assert_eq!(
            body(&s, json!({"groups": [{"name": "a"}, {"name": null}]})),
            "Invalid input for field/attribute name. Value: None. None is not of type 'string'"
        );
        assert_eq!(
            body(&s, json!({"tags": ["a", "b"], "groups": [{"name": "x"}]})),
            "valid"
        );
        // `items` ignores non-arrays.
        assert_eq!(
            body(&json!({"items": {"type": "string"}}), json!({"a": 1})),
            "valid"
        );
    }

    #[test]
    fn numeric_bounds_read_numeric_strings() {
        // Nova's minimum/maximum first read a string as int(), then float(); the message
        // shows the number read.
        let s = json!({"type": "object", "properties": {
            "n": {"minimum": 1, "maximum": 10},
            "f": {"minimum": 0.5}
        }});
        let n = |v: Value| body(&s, json!({ "n": v }));
        assert_eq!(
            n(json!(0)),
            "Invalid input for field/attribute n. Value: 0. 0 is less than the minimum of 1"
        );
        assert_eq!(
            n(json!("0")),
            "Invalid input for field/attribute n. Value: 0. 0 is less than the minimum of 1"
        );
        assert_eq!(
            n(json!(" 11 ")),
            "Invalid input for field/attribute n. Value:  11 . 11 is greater than the maximum of 10"
        );
        assert_eq!(
            n(json!("10.5")),
            "Invalid input for field/attribute n. Value: 10.5. 10.5 is greater than the maximum of 10"
        );
        assert_eq!(
            n(json!(11)),
            "Invalid input for field/attribute n. Value: 11. 11 is greater than the maximum of 10"
        );
        for ok in [
            json!(1),
            json!(10),
            json!("1"),
            json!("10"),
            json!(5.5),
            json!("abc"),
            json!(null),
        ] {
            assert_eq!(n(ok.clone()), "valid", "{ok}");
        }
        assert_eq!(
            body(&s, json!({"f": 0})),
            "Invalid input for field/attribute f. Value: 0. 0 is less than the minimum of 0.5"
        );
        assert_eq!(body(&s, json!({"f": "0.5"})), "valid");
    }

    #[test]
    fn additional_properties_forms() {
        let closed =
            json!({"type": "object", "properties": {"a": {}}, "additionalProperties": false});
        assert_eq!(body(&closed, json!({"a": 1})), "valid");
        assert_eq!(
            body(&closed, json!({"a": 1, "x": 2})),
            "Additional properties are not allowed ('x' was unexpected)"
        );
        // Several extras: sorted, "were".
        assert_eq!(
            body(&closed, json!({"z": 1, "a": 1, "b": 2})),
            "Additional properties are not allowed ('b', 'z' were unexpected)"
        );
        // With patternProperties, jsonschema names the regexes (sorted) instead; a key a
        // pattern finds (re.search, unanchored) is not an extra and is checked against it.
        let pat = json!({
            "type": "object",
            "patternProperties": {"^_": {}, "[a-z]$": {"type": "string"}},
            "additionalProperties": false
        });
        assert_eq!(body(&pat, json!({"ok": "v", "_1": 1, "1x": "v"})), "valid");
        assert_eq!(
            body(&pat, json!({"ok": 5})),
            "Invalid input for field/attribute ok. Value: 5. 5 is not of type 'string'"
        );
        assert_eq!(
            body(&pat, json!({"ok": "v", "x1": "v"})),
            "'x1' does not match any of the regexes: '[a-z]$', '^_'"
        );
        assert_eq!(
            body(&pat, json!({"y2": "v", "x1": "v"})),
            "'x1', 'y2' do not match any of the regexes: '[a-z]$', '^_'"
        );
        // patternProperties without additionalProperties: extras pass.
        assert_eq!(
            body(
                &json!({"patternProperties": {"^a": {"type": "integer"}}}),
                json!({"b": "x", "ab": 1})
            ),
            "valid"
        );
        assert_eq!(
            body(
                &json!({"patternProperties": {"^a": {"type": "integer"}}}),
                json!({"b": "x", "ab": "y"})
            ),
            "Invalid input for field/attribute ab. Value: y. 'y' is not of type 'integer'"
        );
        // additionalProperties as a schema: each extra is checked against it.
        let typed = json!({"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "integer"}});
        assert_eq!(body(&typed, json!({"a": "s", "n": 1})), "valid");
        assert_eq!(
            body(&typed, json!({"a": "s", "n": "x"})),
            "Invalid input for field/attribute n. Value: x. 'x' is not of type 'integer'"
        );
        assert_eq!(
            body(&json!({"additionalProperties": true}), json!({"any": 1})),
            "valid"
        );
    }

    #[test]
    fn required_names_the_first_missing_property() {
        let s = json!({"type": "object", "properties": {"m": {"type": "object", "required": ["host", "force"]}}});
        assert_eq!(
            body(&s, json!({"m": {"force": true}})),
            "Invalid input for field/attribute m. Value: {'force': True}. 'host' is a required property"
        );
        assert_eq!(
            body(&s, json!({"m": {"host": "h"}})),
            "Invalid input for field/attribute m. Value: {'host': 'h'}. 'force' is a required property"
        );
        assert_eq!(
            body(&s, json!({"m": {"host": "h", "force": true}})),
            "valid"
        );
    }

    #[test]
    fn enum_membership() {
        let s = json!({"type": "object", "properties": {
            "status": {"type": "string", "enum": ["enabled", "disabled"]},
            "b": {"enum": [true, "True"]},
            "n": {"enum": [1, 2]}
        }});
        assert_eq!(body(&s, json!({"status": "enabled"})), "valid");
        assert_eq!(
            body(&s, json!({"status": "off"})),
            "Invalid input for field/attribute status. Value: off. 'off' is not one of ['enabled', 'disabled']"
        );
        assert_eq!(body(&s, json!({"b": true})), "valid");
        assert_eq!(body(&s, json!({"b": "True"})), "valid");
        assert_eq!(
            body(&s, json!({"b": false})),
            "Invalid input for field/attribute b. Value: False. False is not one of [True, 'True']"
        );
        assert_eq!(
            body(&s, json!({"b": "true"})),
            "Invalid input for field/attribute b. Value: true. 'true' is not one of [True, 'True']"
        );
        // 2 == 2.0 in jsonschema's enum, but True is not 1 (nor False 0).
        assert_eq!(body(&s, json!({"n": 2.0})), "valid");
        assert_eq!(
            body(&s, json!({"n": true})),
            "Invalid input for field/attribute n. Value: True. True is not one of [1, 2]"
        );
        assert_eq!(
            body(&s, json!({"b": 1})),
            "Invalid input for field/attribute b. Value: 1. 1 is not one of [True, 'True']"
        );
        assert_eq!(
            body(&json!({"enum": [0, "x"]}), json!(false)),
            "False is not one of [0, 'x']"
        );
        assert_eq!(
            body(&s, json!({"n": 3})),
            "Invalid input for field/attribute n. Value: 3. 3 is not one of [1, 2]"
        );
    }

    #[test]
    fn one_of_counts_the_valid_branches() {
        // server create's imageRef (2.1+): a uuid or an empty string.
        let s = json!({"type": "object", "properties": {
            "imageRef": {"oneOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}]}
        }});
        assert_eq!(
            body(
                &s,
                json!({"imageRef": "9a5f7c3e-0c1a-4b1c-9d4c-2f1b2a3c4d5e"})
            ),
            "valid"
        );
        assert_eq!(body(&s, json!({"imageRef": ""})), "valid");
        assert_eq!(
            body(&s, json!({"imageRef": "nope"})),
            "Invalid input for field/attribute imageRef. Value: nope. 'nope' is not valid under any of the given schemas"
        );
        // Valid under several: jsonschema lists the later valid branches, then the first.
        assert_eq!(
            body(
                &json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"maxLength": 3}]}),
                json!("ab")
            ),
            "'ab' is valid under each of {'maxLength': 3}, {'type': 'string'}"
        );
    }

    #[test]
    fn formats() {
        let s = json!({"type": "object", "properties": {
            "u": {"format": "uuid"},
            "t": {"format": "date-time"}
        }});
        for u in [
            "9a5f7c3e-0c1a-4b1c-9d4c-2f1b2a3c4d5e",
            "9A5F7C3E-0C1A-4B1C-9D4C-2F1B2A3C4D5E",
            "9a5f7c3e0c1a4b1c9d4c2f1b2a3c4d5e",
        ] {
            assert_eq!(body(&s, json!({ "u": u })), "valid", "{u}");
        }
        assert_eq!(
            body(&s, json!({"u": "nope"})),
            "Invalid input for field/attribute u. Value: nope. 'nope' is not a 'uuid'"
        );
        assert_eq!(
            body(&s, json!({"t": "wrong_time"})),
            "Invalid input for field/attribute t. Value: wrong_time. 'wrong_time' is not a 'date-time'"
        );
        assert_eq!(body(&s, json!({"t": "2024-05-06T07:08:09Z"})), "valid");
        // Nova's format checkers pass anything that is not a string.
        assert_eq!(body(&s, json!({"u": 5, "t": 5})), "valid");
    }

    #[test]
    fn date_time_reads_rfc3339_and_naive_utc() {
        let at = |v: &str| parse_date_time(v).map(|t| t.to_rfc3339());
        assert_eq!(
            at("2024-05-06T07:08:09Z").as_deref(),
            Some("2024-05-06T07:08:09+00:00")
        );
        assert_eq!(
            at("2024-05-06T07:08:09+02:00").as_deref(),
            Some("2024-05-06T05:08:09+00:00")
        );
        assert_eq!(
            at("2024-05-06T07:08:09.250").as_deref(),
            Some("2024-05-06T07:08:09.250+00:00")
        );
        assert_eq!(
            at("2024-05-06T07:08:09").as_deref(),
            Some("2024-05-06T07:08:09+00:00")
        );
        assert_eq!(at("wrong_time"), None);
        assert_eq!(at("2024-13-06T07:08:09"), None);
    }

    #[test]
    fn python_pattern_ends_and_classes() {
        let p = |pat: &str| compile_python_pattern(pat).unwrap();
        // Python's final `$` also matches before one trailing newline, not two.
        assert!(p("^[a-z]+$").is_match("abc\n"));
        assert!(!p("^[a-z]+$").is_match("abc\n\n"));
        assert!(!p("^[a-z]+$").is_match("abc\nd"));
        // re.search: unanchored; only a final `$` is rewritten.
        assert!(p("b").is_match("abc"));
        assert!(!p("b").is_match("xyz"));
        // A `-` right after a range, first or last in a class is literal.
        assert!(p("^[a-c-e]+$").is_match("a-e"));
        assert!(!p("^[a-c-e]+$").is_match("d"));
        assert!(p("^[-x]+$").is_match("-x-"));
        assert!(!p("^[-x]+$").is_match("y"));
        assert!(p("^[x-]+$").is_match("-x"));
        assert!(!p("^[x-]+$").is_match("y"));
        // ... and the class ends at that `]`, so the final `$` is still Python's.
        assert!(p("^[x-]+$").is_match("x-\n"));
        // An escape is copied with the character it escapes: `\$` is a literal dollar,
        // `\]` does not close the class.
        assert!(p("^a\\$").is_match("a$"));
        assert!(!p("^a\\$").is_match("a"));
        assert!(p("^[\\]a]+$").is_match("]a"));
        assert!(!p("^[\\]a]+$").is_match("b"));
        assert!(p("^[a-z]\\.[a-z]$").is_match("a.b"));
        assert!(!p("^[a-z]\\.[a-z]$").is_match("axb"));
        // `--` after a range is a literal `-` starting a new range in Python (a set
        // difference in Rust's syntax): `[a-c--e]` is a-c plus '-'..'e', so 'd' and 'Z'.
        assert!(p("^[a-c--e]$").is_match("d"));
        assert!(p("^[a-c--e]$").is_match("Z"));
        assert!(!p("^[a-c--e]$").is_match("f"));
        // A trailing lone backslash is not an escape (Python rejects the pattern; so
        // does the translation).
        assert!(compile_python_pattern("a\\").is_none());
    }
}
