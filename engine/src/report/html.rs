//! A self-contained HTML report: per profile, the variant x microversion matrix coloured by
//! verdict; clicking a cell shows that case's expectation, answer and redacted exchange.
//! Inline CSS and JS only, so it works offline and from a CI artifact.
//! CI opens it in headless Chromium (interop/browser/check_report.py) through these hooks, which
//! a template change must keep: `td[data-case=<id>]` on every matrix cell, `#detail[data-case]`
//! (the case the panel shows) and, inside it, `[data-role=verdict|expected|observed|exchange]`.
use serde_json::{json, Value};

use super::classes::{Classes, ExchangeMode};
use crate::microversion::{HeaderStyle, VersionSelector};
use crate::runner::RunOutcome;
use crate::variant::{Precondition, Role};
use crate::verdict::{Verdict, VerdictKind};

fn section(c: &crate::case::Case) -> &'static str {
    if c.header == HeaderStyle::Legacy {
        "Legacy version header only"
    } else if c.precondition == Precondition::Active && c.role == Role::Admin {
        "Every body, as admin on an ACTIVE server"
    } else {
        "Server states x caller roles"
    }
}

const SECTIONS: [&str; 3] = [
    "Every body, as admin on an ACTIVE server",
    "Legacy version header only",
    "Server states x caller roles",
];

fn profile_data(o: &RunOutcome, mode: ExchangeMode) -> Value {
    let cl = Classes::of(o, mode);
    let mut columns: Vec<String> = o.bounds.all().iter().map(|v| v.to_string()).collect();
    for s in [
        VersionSelector::Absent,
        VersionSelector::Latest,
        VersionSelector::Malformed,
        VersionSelector::OutOfRange,
    ] {
        columns.push(s.to_string());
    }
    // (label, section, cells, sort key in axis order rather than alphabetical)
    type Row = (
        String,
        &'static str,
        Vec<i64>,
        (
            usize,
            HeaderStyle,
            Precondition,
            Role,
            crate::variant::BodyShape,
        ),
    );
    let mut rows: Vec<Row> = Vec::new();
    let mut cases = Vec::new();
    // Result index -> index in `cases` (results without a case are not in the grid).
    let mut html_index: Vec<Option<usize>> = vec![None; o.results.len()];
    // (index in `cases`, result index of its class representative) of the elided cases,
    // resolved once every case has its index.
    let mut elided: Vec<(usize, usize)> = Vec::new();
    for (ri_result, r) in o.results.iter().enumerate() {
        let Some(c) = &r.case else { continue };
        let col = match c.version {
            VersionSelector::Exact(v) => v.to_string(),
            other => other.to_string(),
        };
        let Some(ci) = columns.iter().position(|x| *x == col) else {
            continue;
        };
        let key = c.variant_key();
        let ri = match rows.iter().position(|(k, _, _, _)| *k == key) {
            Some(i) => i,
            None => {
                let sec = section(c);
                let si = SECTIONS.iter().position(|x| *x == sec).unwrap_or(0);
                rows.push((
                    key,
                    sec,
                    vec![-1; columns.len()],
                    (si, c.header, c.precondition, c.role, c.body),
                ));
                rows.len() - 1
            }
        };
        rows[ri].2[ci] = cases.len() as i64;
        html_index[ri_result] = Some(cases.len());
        let class = cl.class_of[ri_result];
        if !cl.kept[ri_result] {
            if let Some(rep) = cl.representative_of[class] {
                elided.push((cases.len(), rep));
                cases.push(json!({
                    "id": r.id, "name": r.name, "v": r.verdict.kind().as_str(),
                    "refused": r.observed.as_ref().is_some_and(|o| o.status >= 300),
                    "rule": r.expected.as_ref().map(|e| e.rule.as_str()), "cls": class,
                }));
                continue;
            }
        }
        let (reason, mismatches) = match &r.verdict {
            Verdict::Fail { mismatches } => (None, mismatches.clone()),
            Verdict::Skip { reason } | Verdict::Error { reason } => {
                (Some(crate::redact::text(reason)), vec![])
            }
            Verdict::Pass => (None, vec![]),
        };
        cases.push(json!({
            "id": r.id, "name": r.name, "v": r.verdict.kind().as_str(),
            "refused": r.observed.as_ref().is_some_and(|o| o.status >= 300),
            "reason": reason, "mismatches": mismatches,
            "expected": r.expected, "observed": r.observed.as_ref().map(|x| x.summary()),
            "exchange": r.exchange.as_ref().map(|x| x.to_text()), "follow": r.follow_up,
            "discrepancy": r.known_discrepancy, "cls": class,
        }));
    }
    // An elided case points at its representative's entry; a representative outside the
    // grid (no case) cannot happen for a run's results, but would leave the case without one.
    for (i, rep) in elided {
        if let Some(j) = html_index[rep] {
            cases[i]["rep"] = json!(j);
        }
    }
    rows.sort_by_key(|r| r.3);
    // Drop version columns no case uses (a filtered run).
    let used: Vec<usize> = (0..columns.len())
        .filter(|&i| rows.iter().any(|r| r.2[i] >= 0))
        .collect();
    let columns: Vec<String> = used.iter().map(|&i| columns[i].clone()).collect();
    for r in &mut rows {
        r.2 = used.iter().map(|&i| r.2[i]).collect();
    }
    let consistency =
        super::consistency::of(o).map(|c| consistency_data(&c, &html_index, &columns));
    let counts: Value = VerdictKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), json!(o.count(*k))))
        .collect();
    json!({
        "profile": o.profile.as_str(), "target": o.target,
        "versions": format!("{}-{}", o.bounds.min, o.bounds.max),
        "wall_ms": o.wall_ms, "counts": counts, "columns": columns,
        "release": o.release.describe(), "release_consistent": o.release.consistent(),
        "release_unexplained": o.release.unexplained, "release_warnings": o.release.warnings,
        "rows": rows.iter().map(|(k, s, cells, _)| json!({"label": k, "section": s, "cells": cells})).collect::<Vec<_>>(),
        "classes": cl.classes.iter().map(|c| c.answer.as_str()).collect::<Vec<_>>(),
        "cases": cases,
        "consistency": consistency,
    })
}

/// The second matrix: per (host, force) row and version column, the classes sent both as
/// cold and as live migration, coloured by whether their outcomes diverge; a cell lists its
/// classes (state, role, both outcomes) with links to the two cases.
fn consistency_data(
    c: &super::consistency::Consistency,
    html_index: &[Option<usize>],
    columns: &[String],
) -> Value {
    let at = |i: usize| html_index[i].map_or(json!(null), |j| json!(j));
    let grid = super::consistency::grid(c);
    let used: Vec<&String> = columns
        .iter()
        .filter(|col| grid.values().any(|row| row.contains_key(*col)))
        .collect();
    let rows: Vec<Value> = grid
        .keys()
        .map(|(host, force)| {
            let cells: Vec<Value> = used
                .iter()
                .map(|col| {
                    let members: Vec<usize> = c
                        .classes
                        .iter()
                        .enumerate()
                        .filter(|(_, k)| k.host == *host && k.force == *force && k.version == **col)
                        .map(|(n, _)| n)
                        .collect();
                    let diverging = members
                        .iter()
                        .filter(|&&n| c.classes[n].divergence.is_some())
                        .count();
                    json!({"n": members.len(), "d": diverging, "k": members})
                })
                .collect();
            json!({"label": format!("host={host} force={force}"), "cells": cells})
        })
        .collect();
    json!({
        "compared": c.compared, "same": c.same, "diverging": c.diverging,
        "columns": used,
        "rows": rows,
        "divergences": c.divergences.iter().map(|d| json!({
            "cold": d.cold, "live": d.live, "cold_rule": d.cold_rule, "live_rule": d.live_rule,
            "classes": d.classes, "versions": d.versions, "hosts": d.hosts, "forces": d.forces,
            "preconditions": d.preconditions, "roles": d.roles,
        })).collect::<Vec<_>>(),
        "classes": c.classes.iter().map(|k| json!({
            "pre": k.precondition, "role": k.role, "v": k.version,
            "ci": at(k.results.0), "li": at(k.results.1),
            "co": k.cold_outcome, "lo": k.live_outcome, "d": k.divergence,
        })).collect::<Vec<_>>(),
    })
}

/// Renders the report for one or more profile runs, with the default `--exchanges
/// representative`.
pub fn render(outcomes: &[&RunOutcome]) -> String {
    render_with(outcomes, ExchangeMode::default())
}

/// Renders the report; with [`ExchangeMode::Representative`] a passing case that is not its
/// class's representative carries only its id, name, verdict and rule, and a click on it shows
/// the representative's request and answer, labelled as such.
pub fn render_with(outcomes: &[&RunOutcome], mode: ExchangeMode) -> String {
    let data = Value::Array(outcomes.iter().map(|o| profile_data(o, mode)).collect());
    // `</` inside a script element would end it; JSON allows `<\/`.
    let data = data.to_string().replace("</", "<\\/");
    TEMPLATE.replace("/*DATA*/null", &data)
}

const TEMPLATE: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nova-conform report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--pass:#2e9e5b;--fail:#d64545;--error:#8e44ad;--skip:#b8bec6;--none:#f1f3f5;--ink:#1d2330;--mute:#5d6778}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fafbfc}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:20px;font-weight:600}
header p{margin:4px 0 0;color:#c5cad3}
main{padding:18px 28px}
.profile{background:#fff;border:1px solid #e3e6ea;border-radius:10px;padding:16px 20px;margin-bottom:24px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.profile h2{margin:0 0 4px;font-size:18px}
.meta.bad{color:#b00020;font-weight:600}
.meta{color:var(--mute);margin-bottom:10px}
.badges span{display:inline-block;margin-right:8px;padding:2px 10px;border-radius:999px;color:#fff;font-weight:600;font-size:13px}
.b-pass{background:var(--pass)}.b-fail{background:var(--fail)}.b-error{background:var(--error)}.b-skip{background:#8a919c}
.legend{margin:10px 0;color:var(--mute);font-size:12px}
.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;margin:0 4px 0 12px}
.gridbox{overflow:auto;max-height:80vh;border:1px solid #eef0f3;border-radius:6px}
table{border-collapse:separate;border-spacing:1px;font-size:11px}
th.row{position:sticky;left:0;background:#fff;text-align:right;font-weight:400;padding:0 8px 0 4px;white-space:nowrap;color:#333;z-index:1}
thead th{position:sticky;top:0;background:#fff;z-index:2;height:46px;vertical-align:bottom;font-weight:400;color:var(--mute);width:9px;max-width:9px;padding:0;font-size:10px}
thead th span{display:inline-block;transform:rotate(-70deg);transform-origin:left bottom;width:9px;white-space:nowrap;margin-left:7px}
tr.sec th{position:sticky;left:0;text-align:left;background:#f6f7f9;color:#333;font-weight:600;padding:6px 8px;font-size:12px}
td{width:9px;height:13px;min-width:9px;border-radius:2px;background:var(--none);cursor:pointer;padding:0}
td.pass{background:var(--pass)}td.pass.refused{background:#8fd0a6}td.fail{background:var(--fail)}td.error{background:var(--error)}td.skip{background:var(--skip)}
td.none{cursor:default}
td:hover:not(.none){outline:2px solid #1d2330}
td.sel{outline:3px solid #f5a623}
.detail{position:fixed;top:0;right:0;bottom:0;width:min(520px,92vw);overflow:auto;background:#fff;border-left:1px solid #d5d9df;box-shadow:-8px 0 24px rgba(0,0,0,.12);padding:14px 16px;font-size:13px;z-index:10;display:none}
.detail.open{display:block}
.detail .close{float:right;border:0;background:#eef0f3;border-radius:6px;padding:2px 9px;cursor:pointer;font-size:16px}
.detail h3{margin:0 0 6px;font-size:14px}
.detail .v{display:inline-block;padding:1px 8px;border-radius:999px;color:#fff;font-size:12px;font-weight:600}
.detail pre{background:#0f141c;color:#d8dee9;padding:10px;border-radius:6px;white-space:pre-wrap;word-break:break-all;font-size:12px}
.detail table.kv td{background:none;width:auto;height:auto;cursor:auto;padding:2px 8px 2px 0;vertical-align:top;font-size:12px}
.detail table.kv td:first-child{color:var(--mute);white-space:nowrap}
.mm{color:var(--fail)}
.hint{color:var(--mute)}
.rep{background:#fff7e0;border:1px solid #f0d48a;border-radius:6px;padding:6px 8px}
.fails{margin:10px 0;font-size:12px}
.fails li{margin:2px 0}
.fails a{color:var(--fail);cursor:pointer;text-decoration:underline}
.consistency h3{margin:18px 0 4px;font-size:15px}
.consistency ol{font-size:12px;padding-left:22px}
.consistency li{margin:3px 0}
td.same{background:#7aa7d9}td.div{background:#f08a24}td.div.part{background:#f6c48f}
td[data-cx]{cursor:pointer}
.detail a[data-i]{cursor:pointer;text-decoration:underline}
</style></head><body>
<header><h1>nova-conform &mdash; cold migration with a target host</h1>
<p>Each square is one case: a request at one microversion (columns) for one body / server state / role (rows). Click a square for the request, the answer and the oracle's expectation.</p></header>
<main id="main"></main><aside class="detail" id="detail"></aside>
<script>
const DATA = /*DATA*/null;
const esc = s => String(s ?? "").replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c]));
function show(p, i, td) {
  document.querySelectorAll("td.sel").forEach(e => e.classList.remove("sel"));
  if (td) td.classList.add("sel");
  const own = DATA[p].cases[i], box = document.getElementById("detail");
  box.classList.add("open");
  box.dataset.case = own.id; // hook for interop/browser: which case the panel shows (its own, not a representative)
  const col = {pass:"var(--pass)",fail:"var(--fail)",error:"var(--error)",skip:"#8a919c"}[own.v];
  let h = `<button class="close" title="close" onclick="document.getElementById('detail').classList.remove('open')">&times;</button><p class="hint">profile ${esc(DATA[p].profile)}</p><h3>${esc(own.name)}</h3><span class="v" data-role="verdict" style="background:${col}">${own.v.toUpperCase()}</span> <span class="hint">${esc(own.id)}</span>`;
  // A passing case whose details were elided (--exchanges representative) shows those of its
  // behaviour class's representative, which gave the same answer.
  let c = own;
  if (own.rep !== undefined) {
    c = DATA[p].cases[own.rep];
    h += `<p class="hint">rule ${esc(own.rule)}</p><p class="rep">Representative of class <b>${esc(DATA[p].classes[own.cls])}</b>: case <a data-p="${p}" data-i="${own.rep}">${esc(c.id)}</a> ${esc(c.name)}. Its request and answer are shown below; this case gave the same answer (its own exchange is kept with <code>--exchanges all</code>).</p>`;
  }
  if (c.discrepancy) h += `<p class="mm">Known discrepancy: ${esc(c.discrepancy)}</p>`;
  if (c.reason) h += `<p>${esc(c.reason)}</p>`;
  if (c.mismatches.length) h += "<p>" + c.mismatches.map(m => `<div class="mm"><b>${esc(m.what)}</b>: expected ${esc(m.expected)}, got ${esc(m.got)}</div>`).join("") + "</p>";
  const e = c.expected;
  h += `<table class="kv">`;
  if (e) h += `<tr data-role="expected"><td>expected</td><td>${e.status}${e.fault ? " " + esc(e.fault) : ""} &rarr; ${esc(e.end)}${e.message ? "<br><code>" + esc(e.message) + "</code>" : ""}<br><span class="hint">rule ${esc(e.rule)}</span></td></tr>`;
  if (c.observed) h += `<tr data-role="observed"><td>observed</td><td>${esc(c.observed)}</td></tr>`;
  c.follow.forEach(f => h += `<tr><td>then</td><td>${esc(f)}</td></tr>`);
  h += `</table>`;
  if (c.exchange) h += `<pre data-role="exchange">${esc(c.exchange)}</pre>`;
  box.innerHTML = h;
}
DATA.forEach((d, p) => {
  const sec = document.createElement("section"); sec.className = "profile";
  const badges = ["pass","fail","error","skip"].filter(k => d.counts[k]).map(k => `<span class="b-${k}">${d.counts[k]} ${k}</span>`).join("");
  let h = `<h2>Profile <code>${esc(d.profile)}</code></h2><div class="meta">${esc(d.target)} &middot; microversions ${esc(d.versions)} &middot; ${d.cases.length} cases in ${(d.wall_ms/1000).toFixed(2)} s</div><div class="meta${d.release_consistent ? "" : " bad"}">Nova release: ${esc(d.release)}${d.release_unexplained.length ? " (" + d.release_unexplained.map(esc).join(", ") + ")" : ""}${d.release_warnings.map(w => "<br>warning: " + esc(w)).join("")}</div><div class="badges">${badges}</div>`;
  h += `<div class="legend">Legend:<i style="background:var(--pass)"></i>pass, accepted (2xx)<i style="background:#8fd0a6"></i>pass, refused as expected<i style="background:var(--fail)"></i>fail<i style="background:var(--error)"></i>error<i style="background:var(--skip)"></i>skip<i style="background:var(--none)"></i>not in this matrix</div>`;
  // Failures grouped by the oracle rule that judged them, each with its first case.
  const groups = new Map();
  d.cases.forEach((c, i) => {
    if (c.v !== "fail" && c.v !== "error") return;
    const k = (c.expected ? c.expected.rule : "no rule") + (c.v === "error" ? " (error)" : "");
    if (!groups.has(k)) groups.set(k, {n: 0, first: i, note: c.discrepancy});
    groups.get(k).n++;
  });
  if (groups.size) {
    h += `<div class="fails"><b>Not passing, by expectation rule</b><ul>`;
    groups.forEach((g, k) => h += `<li>${g.n} &times; <code>${esc(k)}</code>: first <a data-p="${p}" data-i="${g.first}">${esc(d.cases[g.first].name)}</a>${g.note ? ` <span class="hint">(known discrepancy)</span>` : ""}</li>`);
    h += `</ul></div>`;
  }
  h += `<div class="gridbox"><table><thead><tr><th class="row"></th>`;
  d.columns.forEach(c => h += `<th><span>${esc(c)}</span></th>`);
  h += `</tr></thead><tbody>`;
  let last = null;
  d.rows.forEach(r => {
    if (r.section !== last) { h += `<tr class="sec"><th colspan="${d.columns.length + 1}">${esc(r.section)}</th></tr>`; last = r.section; }
    h += `<tr><th class="row">${esc(r.label)}</th>`;
    r.cells.forEach(i => {
      if (i < 0) { h += `<td class="none"></td>`; return; }
      const c = d.cases[i];
      h += `<td class="${c.v}${c.refused ? " refused" : ""}" data-p="${p}" data-i="${i}" data-case="${esc(c.id)}" title="${esc(c.name)}: ${c.v}"></td>`;
    });
    h += `</tr>`;
  });
  h += `</tbody></table></div>`;
  const cs = d.consistency;
  if (cs) {
    // The second matrix: cold vs live migration per class (docs/report-schema.md "consistency").
    h += `<div class="consistency"><h3>Cold vs live migration (<code>migrate</code> / <code>os-migrateLive</code>)</h3><div class="meta">${cs.compared} classes (microversion, host, force, server state, role) sent both ways: ${cs.same} the same, ${cs.diverging} diverging in ${cs.divergences.length} ways. Compared: status, fault and where an accepted migration ended.</div>`;
    h += `<div class="legend">Legend:<i style="background:#7aa7d9"></i>every class the same<i style="background:#f6c48f"></i>some classes diverge<i style="background:#f08a24"></i>every class diverges<i style="background:var(--none)"></i>not sent both ways</div>`;
    h += `<div class="gridbox"><table data-role="consistency"><thead><tr><th class="row"></th>`;
    cs.columns.forEach(c => h += `<th><span>${esc(c)}</span></th>`);
    h += `</tr></thead><tbody>`;
    cs.rows.forEach((r, ri) => {
      h += `<tr><th class="row">${esc(r.label)}</th>`;
      r.cells.forEach((c, ci) => {
        if (!c.n) { h += `<td class="none"></td>`; return; }
        const cls = c.d === 0 ? "same" : (c.d === c.n ? "div" : "div part");
        h += `<td class="${cls}" data-cp="${p}" data-cx="${ri},${ci}" title="${esc(r.label)} at ${esc(cs.columns[ci])}: ${c.d} of ${c.n} diverge"></td>`;
      });
      h += `</tr>`;
    });
    h += `</tbody></table></div>`;
    if (cs.divergences.length) {
      h += `<p class="hint">Where they diverge, largest first: cold outcome [rule] &ne; live outcome [rule], and what it spans.</p><ol data-role="divergences">` + cs.divergences.map(v => `<li><b>${v.classes}</b> &times; cold <code>${esc(v.cold)}</code>${v.cold_rule ? ` <span class="hint">${esc(v.cold_rule)}</span>` : ""} &ne; live <code>${esc(v.live)}</code>${v.live_rule ? ` <span class="hint">${esc(v.live_rule)}</span>` : ""}<br><span class="hint">at ${esc(v.versions)}; host ${esc(v.hosts.join(","))}; force ${esc(v.forces.join(","))}; ${esc(v.preconditions.join(","))}; as ${esc(v.roles.join(","))}</span></li>`).join("") + `</ol>`;
    }
    h += `</div>`;
  }
  sec.innerHTML = h;
  document.getElementById("main").appendChild(sec);
});
// A cell of the cold-vs-live matrix: its classes, each with both outcomes and both cases.
function showPairs(p, ri, ci, td) {
  document.querySelectorAll("td.sel").forEach(e => e.classList.remove("sel"));
  td.classList.add("sel");
  const cs = DATA[p].consistency, row = cs.rows[ri], cell = row.cells[ci], box = document.getElementById("detail");
  box.classList.add("open");
  delete box.dataset.case;
  const link = (i, text) => i === null ? esc(text) : `<a data-p="${p}" data-i="${i}">${esc(text)}</a>`;
  let h = `<button class="close" title="close" onclick="document.getElementById('detail').classList.remove('open')">&times;</button><p class="hint">profile ${esc(DATA[p].profile)}: cold vs live</p><h3>${esc(row.label)} at ${esc(cs.columns[ci])}</h3><p>${cell.d} of ${cell.n} classes diverge</p><table class="kv">`;
  cell.k.forEach(n => {
    const k = cs.classes[n];
    h += `<tr><td>${esc(k.pre)} as ${esc(k.role)}</td><td${k.d === null ? "" : ` class="mm"`}>cold ${link(k.ci, k.co)}<br>live ${link(k.li, k.lo)}</td></tr>`;
  });
  box.innerHTML = h + `</table>`;
}
document.addEventListener("click", ev => {
  const x = ev.target.closest("td[data-cx]");
  if (x) { const [ri, ci] = x.dataset.cx.split(",").map(Number); showPairs(+x.dataset.cp, ri, ci, x); return; }
  const t = ev.target.closest("[data-i]");
  if (!t) return;
  const p = +t.dataset.p, i = +t.dataset.i;
  const td = t.tagName === "TD" ? t : document.querySelector(`td[data-p="${p}"][data-i="${i}"]`);
  if (td && t.tagName !== "TD") td.scrollIntoView({block: "center", inline: "center"});
  show(p, i, td);
});
document.addEventListener("keydown", ev => { if (ev.key === "Escape") document.getElementById("detail").classList.remove("open"); });
// Open on the first failure, so a failing report shows one straight away (and ?case=<id> opens that case).
(() => {
  const want = new URLSearchParams(location.search).get("case");
  for (let p = 0; p < DATA.length; p++) {
    const i = DATA[p].cases.findIndex(c => want ? c.id === want : (c.v === "fail" || c.v === "error"));
    if (i >= 0) { show(p, i, document.querySelector(`td[data-p="${p}"][data-i="${i}"]`)); return; }
  }
})();
</script></body></html>
"##;
