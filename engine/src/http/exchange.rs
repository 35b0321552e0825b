//! A recorded HTTP exchange (the migrate request and its answer), as reports show it.
use serde::{Deserialize, Serialize};

/// What was sent. Credentials are never recorded: the token header is stored redacted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, relative to the compute endpoint's origin.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// What came back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Exchange {
    pub request: RecordedRequest,
    /// `None` when the transport failed (the error is in the verdict).
    pub response: Option<RecordedResponse>,
}

impl RecordedResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of header `name`.
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The fault key and message of a Nova fault body `{"<key>": {"code", "message"}}`.
    pub fn fault(&self) -> Option<(String, String)> {
        let v: serde_json::Value = serde_json::from_str(&self.body).ok()?;
        let obj = v.as_object()?;
        if obj.len() != 1 {
            return None;
        }
        let (k, inner) = obj.iter().next()?;
        let msg = inner.get("message")?.as_str()?.to_string();
        Some((k.clone(), msg))
    }
}

impl Exchange {
    /// The exchange as text: request line, headers, body; status line, headers, body.
    pub fn to_text(&self) -> String {
        let mut s = format!("{} {}\n", self.request.method, self.request.path);
        for (k, v) in &self.request.headers {
            s.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(b) = &self.request.body {
            s.push('\n');
            s.push_str(b);
            s.push('\n');
        }
        s.push('\n');
        match &self.response {
            Some(r) => {
                s.push_str(&format!("HTTP {}\n", r.status));
                for (k, v) in &r.headers {
                    s.push_str(&format!("{k}: {v}\n"));
                }
                if !r.body.is_empty() {
                    s.push('\n');
                    s.push_str(&r.body);
                    s.push('\n');
                }
            }
            None => s.push_str("(no response)\n"),
        }
        s
    }
}
