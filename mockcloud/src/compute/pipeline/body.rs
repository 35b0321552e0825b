//! Request bodies as Nova's `wsgi.Resource` reads them.

use super::context::Ctx;
use super::fault::Fault;
use axum::http::StatusCode;
use serde_json::Value;

/// `jsonutils.loads`; None for anything Python would reject (bad JSON, bad UTF-8, empty).
pub(crate) fn parse(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

/// `wsgi.action_peek` plus `_get_method`'s error mapping:
/// - not JSON, or a JSON value whose `len()` is not 1 -> 400 "Malformed request body";
/// - a value with `len() == 1` but no `.keys()` (1-element list or string), or no
///   `len()` at all (number, bool, null) -> 404 (AttributeError/TypeError in Nova).
pub(crate) fn action_peek(ctx: &Ctx, bytes: &[u8]) -> Result<(String, Value), Fault> {
    let malformed = || ctx.bad_request("Malformed request body");
    let not_found = || ctx.fault(StatusCode::NOT_FOUND, "The resource could not be found.");
    let v = parse(bytes).ok_or_else(malformed)?;
    match &v {
        Value::Object(m) if m.len() == 1 => {
            let name = m.keys().next().cloned().unwrap_or_default();
            Ok((name, v))
        }
        Value::Object(_) => Err(malformed()),
        Value::Array(a) if a.len() == 1 => Err(not_found()),
        Value::String(s) if s.chars().count() == 1 => Err(not_found()),
        Value::Array(_) | Value::String(_) => Err(malformed()),
        _ => Err(not_found()),
    }
}

/// The body of a create/update call as `wsgi.Resource._get_request_content` reads it: an
/// empty body is `None` (which the method's schema then rejects: "None is not of type
/// 'object'"), anything else must be JSON (else 400 "Malformed request body").
pub(crate) fn required(ctx: &Ctx, bytes: &[u8]) -> Result<Value, Fault> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    parse(bytes).ok_or_else(|| ctx.bad_request("Malformed request body"))
}

/// Run a schema; 400 with Nova's validation detail on failure.
pub(crate) fn validate(ctx: &Ctx, schema: &Value, body: &Value) -> Result<(), Fault> {
    super::schema::validator::validate_body_as(schema, body, ctx.dialect())
        .map_err(|e| ctx.bad_request(e.detail))
}
