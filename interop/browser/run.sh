#!/usr/bin/env bash
# The HTML report in a real browser: a run of nova-conform against `mockcloud serve` with
# injected faults (a wrong 400 message at 2.56: Fail; a 500 at 2.57: Error; 2.55 and 2.58 pass),
# then interop/browser/check_report.py opens its HTML report in headless Chromium from its
# file:// URL and checks it against the JSON report of the same run (cell counts, clicks on a
# failing, an Error and passing cells, the console log), and runs its mutants (--self-test).
# Installs Debian's chromium and chromium-driver when missing (as root), and Selenium from
# requirements.lock (hashes) into a cache venv keyed by the lock and the Python X.Y.
# Usage: interop/browser/run.sh   (from the repository root, after cargo build --release)
# Artifacts: target/ci-artifacts/html-report.png (the opened failing cell), html-report.html,
# html-report.json and html-report.log (nova-conform's output). Exit 0 when every check passed,
# 1 when one failed, 2 setup (binaries, packages, venv), 3 the browser did not start.
set -euo pipefail
cd "$(dirname "$0")/../.."
. interop/lib.sh
here=interop/browser
art=target/ci-artifacts
conform="${NOVA_CONFORM_BIN:-target/release/nova-conform}"
say() { echo "browser: $*"; }
die() { echo "browser: error: $*" >&2; exit "${2:-2}"; }
[ -x "$conform" ] || die "nova-conform binary not found at $conform (cargo build --release --bins)"

# --- chromium and chromium-driver (Debian's: no browser download of Selenium's own) ----------
chromium="${CHROMIUM_BIN:-/usr/bin/chromium}"
chromedriver="${CHROMEDRIVER_BIN:-/usr/bin/chromedriver}"
if [ ! -x "$chromium" ] || [ ! -x "$chromedriver" ]; then
  [ "$(id -u)" = 0 ] || die "$chromium or $chromedriver is missing: apt-get install chromium chromium-driver (as root)"
  say "installing chromium and chromium-driver (apt-get)"
  t0=$(date +%s)
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null \
    || die "apt-get install chromium chromium-driver failed"
  say "installed in $(( $(date +%s) - t0 ))s"
  [ -x "$chromium" ] && [ -x "$chromedriver" ] || die "no $chromium / $chromedriver after the install"
fi
export CHROMIUM_BIN="$chromium" CHROMEDRIVER_BIN="$chromedriver"

# --- Selenium, from the lock, in a cache venv ------------------------------------------------
python=python3
xy=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$( { cat "$here/requirements.lock"; echo "python $xy"; } | sha256sum | cut -c1-16)
cache="${NOVA_CONFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nova-conform}"
venv="$cache/browser-$key"
if [ ! -e "$venv/.complete" ]; then
  # The same pinned uv as upstream-nova/launch.py (installed into the same cache).
  uv=$("$python" -c 'import sys; sys.path.insert(0, "upstream-nova"); import launch; print(launch.ensure_uv(quiet=True))') \
    || die "could not install the pinned uv (upstream-nova/launch.py)"
  say "creating $venv (selenium from $here/requirements.lock, Python $xy)"
  rm -rf "$venv"
  export UV_CACHE_DIR="${UV_CACHE_DIR:-$cache/uv-cache}" UV_PYTHON_DOWNLOADS=never
  "$uv" venv --quiet --no-config --python "$(command -v "$python")" "$venv" || die "uv venv failed"
  "$uv" pip install --quiet --no-config --python "$venv/bin/python" --require-hashes --no-deps \
    -r "$here/requirements.lock" || die "installing $here/requirements.lock failed"
  touch "$venv/.complete"
fi

# --- a run with injected failures -------------------------------------------------------------
start_mock
export OS_CLIENT_CONFIG_FILE="$MOCK_DIR/clouds.yaml"
compute=$(sed -n 's/^compute: //p' "$MOCK_DIR/serve.log")
# Rules on the requested microversion, not on counts or chance: the same cases fail every run.
"$python" - "${compute%/v2.1}/mockcloud/faults" <<'PY' || die "could not add the fault rules"
import json, sys, urllib.request
rules = [
    # Every migrate at 2.56 answers 400 with a message no rule expects: Fail (message; and
    # status for the accepted cases).
    {"action": "migrate", "microversion": "2.56", "status": 400,
     "body": {"badRequest": {"code": 400, "message": "injected by interop/browser/run.sh"}}},
    # Every migrate at 2.57 answers 500: an unexpected 5xx is an Error.
    {"action": "migrate", "microversion": "2.57", "status": 500,
     "body": {"computeFault": {"code": 500, "message": "injected by interop/browser/run.sh"}}},
]
for rule in rules:
    req = urllib.request.Request(sys.argv[1], data=json.dumps(rule).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
PY
mkdir -p "$art"
rm -f "$art"/html-report.*
rc=0
"$conform" run --os-cloud mockcloud-admin --manager-cloud mockcloud-manager \
  --member-cloud mockcloud-member --other-cloud mockcloud-other \
  --filter "mv=2.55-2.58,latest" --poll-interval 0.05 --show-exchanges 0 \
  --json "$art/html-report.json" --html "$art/html-report.html" >"$art/html-report.log" 2>&1 || rc=$?
stop_mock
# 3: engine errors (the 500s), which the run must have, besides failures.
[ "$rc" = 3 ] || { tail -20 "$art/html-report.log" >&2; die "nova-conform run exited $rc, expected 3 (Errors from the injected 500s); log: $art/html-report.log" 1; }
say "$(grep '^nova-conform: profile' "$art/html-report.log" | head -1)"

# --- the browser checks ------------------------------------------------------------------------
"$venv/bin/python" "$here/check_report.py" --html "$art/html-report.html" --json "$art/html-report.json" \
  --screenshot "$art/html-report.png" --self-test
