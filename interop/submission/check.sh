#!/usr/bin/env bash
# A submission bundle end to end, as a vendor makes it and a reviewer checks it: the default
# run against the embedded mock with --submission, `sha256sum -c` of its manifest, `verify` of
# the directory and of the tarball (exit 0), then three tamperings, each caught with its exit
# code: an edited file (4), a bundle claiming another oracle with a re-hashed manifest (5), a
# failing verdict... here every case passes, so a passing case turned into a fail, its counts
# and the run verdict edited to match and the manifest re-hashed (6). Prints the sizes and
# the verify times (the figures of docs/certification.md).
# Usage: interop/submission/check.sh  (from the repository root, after cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${NOVA_CONFORM_BIN:-target/release/nova-conform}"
[ -x "$bin" ] || { echo "submission: $bin not found (cargo build --release --bins)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "submission: FAIL: $*" >&2; exit 1; }

"$bin" run --submission "$work/bundle" >"$work/run.log" 2>&1 || fail "the run exited $? ($(tail -3 "$work/run.log"))"
(cd "$work/bundle" && sha256sum -c --quiet MANIFEST.sha256) || fail "sha256sum -c"
echo "submission: bundle $(du -sb "$work/bundle" | cut -f1) bytes, tar.gz $(stat -c %s "$work/bundle.tar.gz") bytes"
ls -l "$work/bundle" | tail -n +2 | awk '{printf "  %10d  %s\n", $5, $9}'

expect() { # expect CODE DIR-or-TARBALL WHAT
  local rc=0 t0 t1
  t0=$(date +%s.%N)
  "$bin" verify "$2" >"$work/verify.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  [ "$rc" -eq "$1" ] || { cat "$work/verify.log" >&2; fail "verify of $3 exited $rc, expected $1"; }
  awk -v a="$t0" -v b="$t1" -v w="$3" -v r="$rc" 'BEGIN { printf "submission: ok: %s: exit %d in %.2f s\n", w, r, b - a }'
  sed 's/^/    /' "$work/verify.log" | cut -c1-220
}
rehash() { (cd "$1" && sha256sum result.yaml junit.xml report.json report.html results.subunit plan.json > MANIFEST.sha256); }
copy() { rm -rf "$work/t"; cp -r "$work/bundle" "$work/t"; }

expect 0 "$work/bundle" "the intact bundle"
expect 0 "$work/bundle.tar.gz" "the intact tarball"

copy; sed -i 's/nova-conform/nova-kustom/' "$work/t/report.html"
expect 4 "$work/t" "an edited report.html"

copy; sed -i '0,/digest: sha256:./s//digest: sha256:0/' "$work/t/result.yaml"; rehash "$work/t"
expect 5 "$work/t" "another oracle's digest, manifest re-hashed"

copy
python3 - "$work/t" <<'PY'
import json, sys
d = sys.argv[1]
rep = json.load(open(d + "/report.json"))
run = rep["runs"][0]
case = next(r for r in run["results"] if r["verdict"] == "pass" and not r.get("elided"))
case["verdict"] = "fail"
case["mismatches"] = [{"what": "status", "expected": "202", "got": "202"}]
run["counts"]["pass"] -= 1
run["counts"]["fail"] += 1
json.dump(rep, open(d + "/report.json", "w"))
y = open(d + "/result.yaml").read()
y = y.replace("  fail: 0\n", "  fail: 1\n").replace("verdict: conformant", "verdict: not-conformant")
import re
y = re.sub(r"  pass: (\d+)\n", lambda m: "  pass: %d\n" % (int(m.group(1)) - 1), y, count=1)
open(d + "/result.yaml", "w").write(y)
PY
rehash "$work/t"
expect 6 "$work/t" "a verdict changed in report.json and result.yaml, manifest re-hashed"
echo "submission: ok"
