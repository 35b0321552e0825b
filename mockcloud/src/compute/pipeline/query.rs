//! Query strings as Nova's handlers see them: webob's `req.GET` (a multi-dict whose
//! plain lookup is the last value), the `{name: [values...]}` form the query schemas
//! validate, and the `next` link of a paged collection (`common.ViewBuilder._get_next_link`).

use super::context::Ctx;
use serde_json::{json, Map, Value};

/// A parsed query string.
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Query {
        Query {
            pairs: raw
                .map(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .into_owned()
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// What Nova's query-schema validator receives.
    pub fn multi(&self) -> Value {
        let mut m: Map<String, Value> = Map::new();
        for (k, v) in &self.pairs {
            let e = m.entry(k.clone()).or_insert_with(|| json!([]));
            if let Some(a) = e.as_array_mut() {
                a.push(json!(v));
            }
        }
        Value::Object(m)
    }

    /// `req.GET.get(name)`: the last value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// `_get_next_link`: the request's parameters sorted (one value per name, the
    /// greatest, as `OrderedDict(sorted(params.items()))` keeps), `marker` replaced or
    /// appended, urlencoded like Python's `urlencode` (quote_plus).
    pub fn next_link(&self, ctx: &Ctx, collection: &str, marker: &str) -> String {
        let mut sorted = self.pairs.clone();
        sorted.sort();
        let mut params: Vec<(String, String)> = Vec::new();
        let mut set = |k: &str, v: &str| match params.iter_mut().find(|(pk, _)| pk == k) {
            Some(p) => p.1 = v.to_string(),
            None => params.push((k.to_string(), v.to_string())),
        };
        for (k, v) in &sorted {
            set(k, v);
        }
        set("marker", marker);
        let qs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
            .collect();
        format!("{}/{collection}?{}", ctx.compute_prefix(), qs.join("&"))
    }
}

/// Python's `urllib.parse.quote_plus` (safe: letters, digits, `_.-~`; space -> `+`).
/// Hand-written because `form_urlencoded` keeps `*` and escapes `~`, unlike Python.
fn quote_plus(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_plus_matches_python() {
        assert_eq!(quote_plus("a b*~/é"), "a+b%2A~%2F%C3%A9");
    }

    #[test]
    fn last_value_wins() {
        let q = Query::parse(Some("limit=1&limit=2&x"));
        assert_eq!(q.get("limit"), Some("2"));
        assert!(q.contains("x"));
        assert_eq!(q.multi(), json!({"limit": ["1", "2"], "x": [""]}));
    }
}
