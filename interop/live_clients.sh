#!/usr/bin/env bash
# Live migration with a target host through the real clients, against any cloud:
# openstackclient's `server migrate --live-migration --host H --wait` and novaclient's
# `nova live-migration SERVER HOST` (both pinned in requirements.lock), the migration record
# each leaves, and Nova's 400 for an unknown host. The same script runs against
# `mockcloud serve` (interop/clients.sh) and against upstream Nova (.ci/run, through
# upstream-nova/ci-stage.sh), so a difference between the two fails one of them.
#
# Usage: interop/live_clients.sh CLOUD      (CLOUD: an entry of $OS_CLIENT_CONFIG_FILE, admin)
set -euo pipefail
cd "$(dirname "$0")/.."
cloud="${1:?usage: interop/live_clients.sh CLOUD}"
: "${OS_CLIENT_CONFIG_FILE:?OS_CLIENT_CONFIG_FILE must name the clouds.yaml}"
venv=$(interop/venv.sh)
py="$venv/bin/python"
osc() { "$venv/bin/openstack" --os-cloud "$cloud" "$@"; }
fail() { echo "live-clients: FAIL: $*" >&2; exit 1; }
checks=0
ok() { checks=$((checks + 1)); echo "live-clients: ok: $*"; }
host_of() { osc server show "$1" -f value -c OS-EXT-SRV-ATTR:host; }
# Polls until the server is ACTIVE on $2 (a live migration ends ACTIVE, on the destination).
# One `server show` a poll for both fields: each openstack call is a Python start (~1 s).
active_on() {
  local s_status="" s_os_ext_srv_attr_host=""
  for _ in $(seq 1 150); do
    eval "$(osc server show "$1" -f shell --prefix s_ -c status -c OS-EXT-SRV-ATTR:host)"
    [ "$s_status" = ACTIVE ] && [ "$s_os_ext_srv_attr_host" = "$2" ] && return 0
    [ "$s_status" = ERROR ] && break
    sleep 0.2
  done
  fail "$1 is $s_status on $s_os_ext_srv_attr_host, not ACTIVE on $2"
}

# novaclient has no clouds.yaml support: its OS_* variables from the same entry.
eval "$("$py" - "$OS_CLIENT_CONFIG_FILE" "$cloud" <<'PY'
import shlex, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))["clouds"][sys.argv[2]]
a = c["auth"]
env = {
    "OS_AUTH_URL": a["auth_url"], "OS_USERNAME": a["username"], "OS_PASSWORD": a["password"],
    "OS_PROJECT_NAME": a["project_name"],
    "OS_USER_DOMAIN_NAME": a.get("user_domain_name", "Default"),
    "OS_PROJECT_DOMAIN_NAME": a.get("project_domain_name", "Default"),
    "OS_REGION_NAME": c.get("region_name", ""),
}
for k, v in env.items():
    print(f"export {k}={shlex.quote(str(v))}")
PY
)"
nova() { "$venv/bin/nova" "$@"; }

# The server is booted through the compute API itself (openstacksdk's session): upstream Nova on
# loopback has no image service in its catalog for `openstack server create` to resolve names
# with, and the compute API's image list (<= 2.35) serves both.
name="nova-conform-live-$$"
trap 'osc server delete --wait "$name" >/dev/null 2>&1 || true' EXIT
"$py" - "$cloud" "$name" <<'PY' || fail "server create"
import sys, time
import openstack
c = openstack.connect(cloud=sys.argv[1])
image = c.compute.get("/images", microversion="2.1").json()["images"][0]["id"]
flavor = sorted(c.compute.get("/flavors", microversion="2.1").json()["flavors"], key=lambda f: f["id"])[0]["id"]
r = c.compute.post("/servers", json={"server": {"name": sys.argv[2], "imageRef": image, "flavorRef": flavor, "networks": "none"}}, microversion="2.37")
assert r.status_code == 202, (r.status_code, r.text)
sid = r.json()["server"]["id"]
for _ in range(300):
    s = c.compute.get("/servers/" + sid, microversion="2.1").json()["server"]
    if s["status"] != "BUILD":
        break
    time.sleep(0.2)
assert s["status"] == "ACTIVE", s["status"]
PY
src=$(host_of "$name")
# Another enabled, up compute host: the destination.
dst=$(osc compute service list --service nova-compute -f value -c Host -c Status -c State |
  awk -v s="$src" '$1 != s && $2 == "enabled" && $3 == "up" { print $1; exit }')
[ -n "$dst" ] || fail "no second enabled compute host"
ok "server create (networks none) -> ACTIVE on $src"

# openstackclient: 2.30 is the first microversion whose os-migrateLive takes a host that the
# scheduler checks (and `--wait` polls to ACTIVE).
osc --os-compute-api-version 2.30 server migrate --live-migration --host "$dst" --wait "$name"
active_on "$name" "$dst"
ok "server migrate --live-migration --host $dst --wait -> ACTIVE on $dst"

osc --os-compute-api-version 2.80 server migration list --server "$name" -f json > "${TMPDIR:-/tmp}/live-$$.json"
"$py" - "${TMPDIR:-/tmp}/live-$$.json" "$src" "$dst" <<'PY' || fail "migration list"
import json, sys
rows = json.load(open(sys.argv[1]))
rows = [r for r in rows if next(r[k] for k in ("Type", "Migration Type", "migration_type") if k in r) == "live-migration"]
assert len(rows) == 1, rows
row = rows[0]
get = lambda *keys: next(row[k] for k in keys if k in row)
assert get("Status", "status") == "completed", row
assert get("Source Compute", "source_compute") == sys.argv[2], row
assert get("Dest Compute", "dest_compute") == sys.argv[3], row
PY
rm -f "${TMPDIR:-/tmp}/live-$$.json"
ok "server migration list (live-migration, completed, $src -> $dst)"

# novaclient, back to the source: `nova live-migration SERVER HOST` at its own default
# microversion (the newest both sides speak: block_migration "auto", no force).
nova live-migration "$name" "$src"
active_on "$name" "$src"
ok "nova live-migration $name $src -> ACTIVE on $src"

# A host that does not exist: the API's own lookup refuses it, 400 with Nova's message.
if out=$(osc --os-compute-api-version 2.30 server migrate --live-migration --host no-such-host "$name" 2>&1); then
  fail "live migration to an unknown host succeeded"
fi
echo "$out" | grep -q "Compute host no-such-host could not be found" || fail "unexpected error for an unknown host: $out"
ok "server migrate --live-migration --host no-such-host -> 400 with Nova's message"

osc server delete --wait "$name"
trap - EXIT
ok "server delete --wait"
echo "live-clients: $checks passed, 0 failed"
