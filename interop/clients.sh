#!/usr/bin/env bash
# Drives `mockcloud serve` the way operators do, with python-openstackclient and openstacksdk
# (pinned in requirements.lock), and fails on the first answer that differs from Nova's.
# Usage: interop/clients.sh   (from the repository root, after cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
. interop/lib.sh
venv=$(interop/venv.sh)
start_mock --lifecycle timed
export OS_CLIENT_CONFIG_FILE="$MOCK_DIR/clouds.yaml"
osc() { "$venv/bin/openstack" --os-cloud mockcloud-admin "$@"; }
fail() { echo "clients: FAIL: $*" >&2; exit 1; }
field() { "$venv/bin/python" -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
checks=0
ok() { checks=$((checks + 1)); echo "clients: ok: $*"; }

image=$(osc image list -f value -c Name | head -1)
[ -n "$image" ] || fail "no image listed"
ok "image list ($image)"

name="nova-conform-interop-$$"
osc server create --image "$image" --flavor m1.tiny --nic none --wait "$name" -f json > "$MOCK_DIR/server.json"
[ "$(field status < "$MOCK_DIR/server.json")" = ACTIVE ] || fail "server create did not end ACTIVE"
ok "server create --nic none --wait"

src=$(osc server show "$name" -f value -c OS-EXT-SRV-ATTR:host)
dst=$(osc compute service list --service nova-compute -f value -c Host | grep -vx "$src" | head -1)
[ -n "$dst" ] || fail "no second compute host"

# Cold migrate with a target host: 2.56 is the first microversion that takes `host`.
osc --os-compute-api-version 2.56 server migrate --host "$dst" --wait "$name"
[ "$(osc server show "$name" -f value -c status)" = VERIFY_RESIZE ] || fail "not VERIFY_RESIZE after migrate --wait"
[ "$(osc server show "$name" -f value -c OS-EXT-SRV-ATTR:host)" = "$dst" ] || fail "server not on the requested host $dst"
ok "server migrate --host $dst --wait -> VERIFY_RESIZE on $dst"

osc --os-compute-api-version 2.80 server migration list --server "$name" -f json > "$MOCK_DIR/migrations.json"
"$venv/bin/python" - "$MOCK_DIR/migrations.json" "$src" "$dst" <<'PY' || fail "migration list"
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 1, rows
row = rows[0]
get = lambda *keys: next(row[k] for k in keys if k in row)
assert get("Status", "status") == "finished", row
assert get("Type", "Migration Type", "migration_type") == "migration", row
assert get("Source Compute", "source_compute") == sys.argv[2], row
assert get("Dest Compute", "dest_compute") == sys.argv[3], row
PY
ok "server migration list (finished, migration, $src -> $dst)"

osc server migration confirm "$name"
for _ in $(seq 1 50); do [ "$(osc server show "$name" -f value -c status)" = ACTIVE ] && break; sleep 0.2; done
[ "$(osc server show "$name" -f value -c OS-EXT-SRV-ATTR:host)" = "$dst" ] || fail "confirm did not leave the server on $dst"
ok "server migration confirm -> ACTIVE on $dst"

# Scheduler's choice, then revert: the server must end where it started (on $dst).
osc --os-compute-api-version 2.56 server migrate --wait "$name"
[ "$(osc server show "$name" -f value -c status)" = VERIFY_RESIZE ] || fail "not VERIFY_RESIZE after a migrate without host"
osc server migration revert "$name"
for _ in $(seq 1 50); do [ "$(osc server show "$name" -f value -c status)" = ACTIVE ] && break; sleep 0.2; done
[ "$(osc server show "$name" -f value -c OS-EXT-SRV-ATTR:host)" = "$dst" ] || fail "revert did not bring the server back to $dst"
ok "server migrate (no host) + migration revert -> ACTIVE on $dst"

# A host that does not exist: openstackclient must show Nova's 400 message and exit 1.
if out=$(osc --os-compute-api-version 2.56 server migrate --host no-such-host "$name" 2>&1); then
  fail "migrate to an unknown host succeeded"
fi
echo "$out" | grep -q "Compute host no-such-host could not be found" || fail "unexpected error for an unknown host: $out"
ok "server migrate --host no-such-host -> 400 with Nova's message"

"$venv/bin/python" interop/sdk_check.py mockcloud-admin "$name" "$src"
ok "openstacksdk migrate_server(host=...)"

osc server delete --wait "$name"
[ -z "$(osc server list -f value -c ID)" ] || fail "servers left after delete"
ok "server delete --wait"
echo "clients: $checks passed, 0 failed"

# Live migration with a target host, through openstackclient and novaclient (the same script
# runs against upstream Nova in .ci/run).
interop/live_clients.sh mockcloud-admin
