#!/usr/bin/env bash
# Proves `nova-conform run --subunit` with OpenStack's own reader, python-subunit (pinned in
# interop/subunit/requirements.lock): a run with passes, failures and skips against
# `mockcloud serve`, then `subunit-stats` and `subunit2junitxml` read the stream and their
# counts (total, failures, skips) must equal the JUnit report's, exactly.
#
# The run is deterministic: the mock is upstream Nova's behaviour (profile nova) and the run
# judges it as the Pike spec (--profile pike-spec), so the `force` cases fail; only the admin
# and manager identities are given, so the member and other-project cases skip (as does the
# disabled-host family: the mock has no disabled host). subunit v2 has no `error` status: an
# engine Error is `fail` (tag engine-error), so subunit's failures are JUnit's failures plus
# errors.
# Usage: interop/subunit/check.sh  (from the repository root, after cargo build --release)
#   NOVA_CONFORM_BIN (default target/release/nova-conform), MOCKCLOUD_BIN (lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. interop/lib.sh
bin="${NOVA_CONFORM_BIN:-target/release/nova-conform}"
[ -x "$bin" ] || { echo "subunit: $bin not found (cargo build --release --bins)" >&2; exit 2; }

# The venv, once per lock (keyed by its hash), outside the work tree.
lock=interop/subunit/requirements.lock
key=$(sha256sum "$lock" | cut -c1-12)
venv="${NOVA_CONFORM_CACHE:-$HOME/.cache/nova-conform}/subunit-$key"
if [ ! -x "$venv/bin/subunit-stats" ] || [ ! -x "$venv/bin/subunit2junitxml" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --no-deps -r "$lock" >&2
fi

start_mock
export OS_CLIENT_CONFIG_FILE="$MOCK_DIR/clouds.yaml"
out="$MOCK_DIR/out"
mkdir -p "$out"
rc=0
"$bin" run --os-cloud mockcloud-admin --manager-cloud mockcloud-manager --profile pike-spec \
  --microversions 2.55-2.57 --poll-interval 0.05 \
  --junit "$out/junit.xml" --subunit "$out/results.subunit" >"$out/run.log" 2>&1 || rc=$?
# 1: conformance failures and nothing else (an engine error would be 3).
if [ "$rc" -ne 1 ]; then
  echo "subunit: FAIL: the run exited $rc, expected 1 (failures):" >&2; tail -20 "$out/run.log" >&2
  exit 1
fi
# Both filters exit 1 when the stream has failures; their output is what counts.
"$venv/bin/subunit-stats" <"$out/results.subunit" >"$out/stats.txt" || true
"$venv/bin/subunit2junitxml" <"$out/results.subunit" >"$out/subunit-junit.xml" || true
"$venv/bin/python" - "$out" <<'PY'
import re, sys, xml.etree.ElementTree as ET
out = sys.argv[1]
stats = open(out + "/stats.txt").read()
def stat(label):
    m = re.search(r"^%s tests:\s+(\d+)$" % label, stats, re.M)
    if not m:
        sys.exit("subunit: FAIL: subunit-stats printed no %r line:\n%s" % (label, stats))
    return int(m.group(1))
def junit(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    cases = [c for s in suites for c in s.findall("testcase")]
    return {
        "total": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None),
        "skips": sum(1 for c in cases if c.find("skipped") is not None),
    }
ours = junit(out + "/junit.xml")
converted = junit(out + "/subunit-junit.xml")
from_stats = {"total": stat("Total"), "failures": stat("Failed"), "skips": stat("Skipped")}
print("subunit: JUnit report      %(total)d tests, %(failures)d failures, %(skips)d skips" % ours)
print("subunit: subunit-stats     %(total)d tests, %(failures)d failures, %(skips)d skips" % from_stats)
print("subunit: subunit2junitxml  %(total)d tests, %(failures)d failures, %(skips)d skips" % converted)
if not (ours == from_stats == converted):
    sys.exit("subunit: FAIL: the counts differ")
# Each failure carries its exchange as the `exchange` attachment (text/plain).
text = open(out + "/subunit-junit.xml").read()
shown = text.count("exchange: {{{\nPOST /v2.1/servers/")
if shown != ours["failures"]:
    sys.exit("subunit: FAIL: %d of %d failures show their exchange attachment" % (shown, ours["failures"]))
if min(ours.values()) == 0 or ours["total"] == ours["failures"] + ours["skips"]:
    sys.exit("subunit: FAIL: the run needs passes, failures and skips to prove anything: %r" % ours)
print("subunit: ok: python-subunit reads the stream, counts equal")
PY
