//! openstackclient-style output: a bordered table (cliff's `table` formatter) or JSON
//! (`-f json`). Hand-written: the format is a few lines and must match cliff's layout
//! exactly (`+---+` borders, left-aligned cells), which general table crates style differently.
use serde_json::{Map, Value};

/// `-f table|json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A table with a header row and one row per entry.
pub fn table(columns: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let rule = {
        let mut s = String::from("+");
        for w in &width {
            s.push_str(&"-".repeat(w + 2));
            s.push('+');
        }
        s.push('\n');
        s
    };
    let line = |cells: &[String]| {
        let mut s = String::from("|");
        for (c, w) in cells.iter().zip(&width) {
            s.push_str(&format!(" {c:<w$} |"));
        }
        s.push('\n');
        s
    };
    let mut out = rule.clone();
    out.push_str(&line(
        &columns.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
    ));
    out.push_str(&rule);
    for r in rows {
        out.push_str(&line(r));
    }
    out.push_str(&rule);
    out
}

/// One object as `Field | Value` (like `openstack server show`), or a JSON object.
pub fn show(fields: &[(&str, Value)], format: Format) -> String {
    match format {
        Format::Table => table(
            &["Field", "Value"],
            &fields
                .iter()
                .map(|(k, v)| vec![k.to_string(), cell(v)])
                .collect::<Vec<_>>(),
        ),
        Format::Json => {
            let m: Map<String, Value> = fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&Value::Object(m)).unwrap()
            )
        }
    }
}

/// A list (like `openstack server migration list`): a table, or a JSON array of objects
/// keyed by column name.
pub fn list(columns: &[&str], rows: &[Vec<Value>], format: Format) -> String {
    match format {
        Format::Table => table(
            columns,
            &rows
                .iter()
                .map(|r| r.iter().map(cell).collect())
                .collect::<Vec<_>>(),
        ),
        Format::Json => {
            let arr: Vec<Value> = rows
                .iter()
                .map(|r| {
                    Value::Object(
                        columns
                            .iter()
                            .zip(r)
                            .map(|(c, v)| (c.to_string(), v.clone()))
                            .collect(),
                    )
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&Value::Array(arr)).unwrap()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_look_like_cliff() {
        let t = show(
            &[("id", json!("abc")), ("locked", json!(false))],
            Format::Table,
        );
        assert_eq!(
            t,
            "+--------+-------+\n| Field  | Value |\n+--------+-------+\n| id     | abc   |\n| locked | false |\n+--------+-------+\n"
        );
        let j = list(
            &["Id", "Status"],
            &[vec![json!(1), json!("done")]],
            Format::Json,
        );
        let v: Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v, json!([{"Id": 1, "Status": "done"}]));
    }
}
