#!/usr/bin/env bash
# CI: `nova-conform run` and `fidelity` against upstream Nova of several releases.
#
#   upstream-nova/ci-releases.sh [SERIES...]      (default: every series of fixtures/releases.toml)
#
# 1. installs every series' venv (cached by lock hash; CI_RELEASES_JOBS at a time),
# 2. runs, CI_RELEASES_JOBS at a time, for each series
#      ci-stage.sh --release X --full-host compute-full --disabled-host compute-disabled -- conform.sh
#    bounded by CI_RELEASES_TIMEOUT seconds, with its reports and Nova's log in $OUT/<series>/
#    and its output in $OUT/<series>.log,
# 3. prints a summary table (counts from the JSON reports conform.sh writes) and exits 1 naming
#    the series that failed (0 if none did; 2 on a usage error).
#
#   NOVA_CONFORM_BIN      the binary (default target/release/nova-conform)
#   CI_RELEASES_OUT       where logs and reports go (default: a temporary directory, printed)
#   CI_RELEASES_JOBS      how many series at once (default 2)
#   CI_RELEASES_TIMEOUT   seconds per series for start + run + fidelity (default 1500)
#   CI_RELEASES_INSTALL_TIMEOUT  seconds per series install (default 900)
#   CI_RELEASES_STAGE     the stage command (default upstream-nova/ci-stage.sh; tests replace it)
#   CI_RELEASES_RUN       series (space-separated ids) that also get `nova-conform run`; the
#                         others only `fidelity`, which judges the endpoint with the same plan
#                         and oracle (exit 1 on a Fail) and checks the mock against it
#                         (default: every series)
#   CI_RELEASES_LIVE      series (space-separated ids) whose run and fidelity include the live-
#                         migration cases; the others get --no-live (default: every series)
#   CI_RELEASES_RETRIES   how many times a failing series is run again (default 0); a series
#                         that passes on a retry is reported as such, with the first failure's
#                         reason, so a flaky upstream never hides
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
py="${PYTHON:-python3}"
jobs="${CI_RELEASES_JOBS:-2}"
per_series="${CI_RELEASES_TIMEOUT:-1500}"
per_install="${CI_RELEASES_INSTALL_TIMEOUT:-900}"
stage="${CI_RELEASES_STAGE:-$here/ci-stage.sh}"
out="${CI_RELEASES_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/nova-conform-releases.XXXXXX")}"
export NOVA_CONFORM_BIN="${NOVA_CONFORM_BIN:-target/release/nova-conform}"
case "$NOVA_CONFORM_BIN" in /*) ;; *) NOVA_CONFORM_BIN="$root/$NOVA_CONFORM_BIN" ;; esac
for n in "$jobs" "$per_series" "$per_install"; do
  case "$n" in '' | *[!0-9]* | 0) echo "ci-releases: CI_RELEASES_JOBS/_TIMEOUT/_INSTALL_TIMEOUT must be positive integers" >&2; exit 2 ;; esac
done
if [ ! -x "$NOVA_CONFORM_BIN" ]; then
  echo "ci-releases: $NOVA_CONFORM_BIN is not an executable (set NOVA_CONFORM_BIN)" >&2
  exit 2
fi

if [ $# -eq 0 ]; then
  mapfile -t series < <("$py" "$here/launch.py" --list-releases | cut -d' ' -f1)
else
  series=()
  for s in "$@"; do
    # The table's id, whatever name (codename, Nova version) was given; unknown names stop here.
    id="$("$py" "$here/launch.py" --release "$s" --print-series | cut -d' ' -f1)" || exit 2
    series+=("$id")
  done
fi
mkdir -p "$out"
echo "ci-releases: ${#series[@]} series (${series[*]}), $jobs at a time; logs and reports in $out"

# Runs "$@" for each series, at most $jobs at once; each job writes its own files.
each() {
  local fn="$1" s
  for s in "${series[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    "$fn" "$s" &
  done
  wait || true
}

install_one() {
  local s="$1" t0
  t0=$(date +%s)
  set +e
  timeout --kill-after=30 "$per_install" nice -n 10 "$py" "$here/launch.py" --release "$s" --install-only \
    >"$out/$s.install.log" 2>&1
  echo "$? $(( $(date +%s) - t0 ))" >"$out/$s.install.rc"
}

run_one() {
  local s="$1" t0 with_run=0 try=0 rc
  read -r rc _ <"$out/$s.install.rc"
  if [ "$rc" -ne 0 ]; then return 0; fi
  case " ${CI_RELEASES_RUN-${series[*]}} " in *" $s "*) with_run=1 ;; esac
  local with_live=0
  case " ${CI_RELEASES_LIVE-${series[*]}} " in *" $s "*) with_live=1 ;; esac
  set +e
  while :; do
    t0=$(date +%s)
    rm -rf "${out:?}/$s"
    # timeout signals the whole stage (its own process group): ci-stage.sh's trap stops Nova.
    (cd "$root" && NOVA_CONFORM_RUN="$with_run" NOVA_CONFORM_LIVE="$with_live" NOVA_CONFORM_OUT="$out/$s" UPSTREAM_NOVA_LOG_DIR="$out/$s" \
      timeout --kill-after=60 "$per_series" \
      "$stage" --release "$s" --full-host compute-full --disabled-host compute-disabled \
      -- "$here/conform.sh") >"$out/$s.log" 2>&1
    rc=$?
    echo "$rc $(( $(date +%s) - t0 ))" >"$out/$s.rc"
    [ "$rc" -eq 0 ] && return 0
    [ "$try" -ge "${CI_RELEASES_RETRIES:-0}" ] && return 0
    try=$(( try + 1 ))
    # Keep the failed attempt whole for the summary and the post-mortem.
    mv "$out/$s.log" "$out/$s.try$try.log"
    [ -d "$out/$s" ] && mv "$out/$s" "$out/$s.try$try"
  done
}

t_all=$(date +%s)
echo "ci-releases: installing"
each install_one
for s in "${series[@]}"; do
  read -r rc secs <"$out/$s.install.rc"
  if [ "$rc" -eq 0 ]; then
    echo "ci-releases: $s installed (${secs}s)"
  else
    echo "ci-releases: $s install FAILED (exit $rc after ${secs}s; $out/$s.install.log):" >&2
    tail -n 5 "$out/$s.install.log" >&2 || true
  fi
done
echo "ci-releases: running"
each run_one

# The summary, from the reports (schema in docs/report-schema.md; fidelity: the differences
# array) and the stage logs' timing lines.
set +e
"$py" - "$here" "$out" "$per_series" "${series[@]}" <<'EOF'
import json, os, re, sys

here, out, limit, series = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
sys.path.insert(0, here)
import launch  # noqa: E402 (the table's Nova version for a series that never got READY)

locked = {s["id"]: s["verified"] for s in launch.load_releases()}


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


rows, failed = [], []
for s in series:
    irc, isecs = (read(os.path.join(out, s + ".install.rc")) or "? ?").split()
    row = {"series": s, "nova": locked.get(s, "?"), "run": "-", "fidelity": "-", "install": isecs + "s",
           "start": "-", "t_run": "-", "t_fid": "-", "total": "-", "result": "ok", "release": "-"}
    # Earlier attempts of a series that was run again (CI_RELEASES_RETRIES): never silent.
    tries = sorted(f for f in os.listdir(out) if f.startswith(s + ".try") and f.endswith(".log"))
    if tries:
        row["result"] = "ok after %d retr%s" % (len(tries), "y" if len(tries) == 1 else "ies")
        for t in tries:
            tail = (read(os.path.join(out, t)) or "").strip().splitlines()[-3:]
            print("ci-releases: %s: a failed attempt was retried (%s): %s" % (s, t, " | ".join(tail)))
    why = []
    if irc != "0":
        why.append("install failed (exit %s)" % irc)
    else:
        rc, secs = (read(os.path.join(out, s + ".rc")) or "? ?").split()
        row["total"] = secs + "s"
        log = read(os.path.join(out, s + ".log")) or ""
        m = re.search(r"upstream Nova (\S+) READY .*\(install \d+s, start (\d+)s\)", log)
        if m:
            row["nova"], row["start"] = m.group(1), m.group(2) + "s"
        m = re.search(r"conform: run ([\d.]+) s, fidelity ([\d.]+) s", log)
        if m:
            row["t_run"], row["t_fid"] = m.group(1) + "s", m.group(2) + "s"
        # `run`'s report, or for a fidelity-only series the endpoint's report fidelity wrote.
        report_file = "run.json" if os.path.exists(os.path.join(out, s, "run.json")) else "endpoint.json"
        try:
            report = json.loads(read(os.path.join(out, s, report_file)) or "null")
            c = report["runs"][0]["counts"]
            if report_file == "endpoint.json":
                row["t_run"] = "(fidelity)"
            nr = report["runs"][0].get("nova_release") or {}
            row["release"] = nr.get("summary") or "-"
            if nr and not nr.get("consistent", True):
                why.append("run: no single Nova series explains it")

            row["run"] = "%d/%d/%d/%d" % (c["pass"], c["fail"], c["skip"], c["error"])
            if c["fail"] or c["skip"] or c["error"]:
                why.append("run: %d fail, %d skip, %d error" % (c["fail"], c["skip"], c["error"]))
        except (TypeError, KeyError, IndexError, ValueError):
            why.append("no run report")
        try:
            diffs = json.loads(read(os.path.join(out, s, "fidelity.json")) or "null")
            if not isinstance(diffs, list):
                raise ValueError
            cases = len({d.get("case") for d in diffs})
            row["fidelity"] = "%d in %d" % (len(diffs), cases)
            if diffs:
                why.append("fidelity: %d differences in %d cases" % (len(diffs), cases))
        except ValueError:
            if row["run"] != "-":
                why.append("no fidelity report")
        if rc == "124":
            # ci-stage.sh's own 124 is "not READY in time"; otherwise timeout(1) cut the stage.
            why.append("Nova not READY in time" if "not READY after" in log else "timed out after %ss" % limit)
        elif rc == "125":
            why.append("Nova exited before READY")
        elif rc != "0" and not why:
            why.append("exit %s" % rc)
    if why:
        row["result"] = "FAIL"
        failed.append("%s (%s)" % (s, "; ".join(why)))
    rows.append(row)

cols = [("series", "series"), ("nova", "nova"), ("result", "result"),
        ("run", "run pass/fail/skip/error"), ("fidelity", "fidelity diffs"), ("release", "judged as"),
        ("install", "install"), ("start", "start"), ("t_run", "run"), ("t_fid", "fidelity"),
        ("total", "stage")]
width = {k: max(len(h), *(len(r[k]) for r in rows)) for k, h in cols}
print()
print("  ".join(h.ljust(width[k]) for k, h in cols))
for r in rows:
    print("  ".join(r[k].ljust(width[k]) for k, _ in cols))
print()
if failed:
    print("ci-releases: FAILED: " + ", ".join(failed))
    sys.exit(1)
print("ci-releases: all %d series passed" % len(rows))
EOF
rc=$?
echo "ci-releases: ${#series[@]} series in $(( $(date +%s) - t_all ))s; logs and reports in $out"
exit "$rc"
