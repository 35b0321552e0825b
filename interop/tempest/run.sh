#!/usr/bin/env bash
# Runs the official Tempest 47.0.0 migration tests against `mockcloud serve`.
# Usage: interop/tempest/run.sh   (from the repository root, after cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/../.."
. interop/lib.sh
venv=$(interop/venv.sh)
start_mock
ws="$MOCK_DIR/tempest"
export OS_CLIENT_CONFIG_FILE="$MOCK_DIR/clouds.yaml"
TEMPEST_IMAGE_REF=$("$venv/bin/openstack" --os-cloud mockcloud-admin image list -f value -c ID | head -1)
export TEMPEST_IMAGE_REF
"$venv/bin/python" interop/tempest/make_config.py "$MOCK_DIR/clouds.yaml" mockcloud "$ws/etc"

cd "$ws"
# A workspace of our own (not `tempest init`, which would write into ~/.tempest).
cat > .stestr.conf <<CONF
[DEFAULT]
test_path=$("$venv/bin/python" -c 'import os, tempest; print(os.path.dirname(tempest.__file__))')/test_discover
top_dir=$("$venv/bin/python" -c 'import os, tempest; print(os.path.dirname(os.path.dirname(tempest.__file__)))')
group_regex=([^\.]*\.)*
CONF
export TEMPEST_CONFIG_DIR="$ws/etc" TEMPEST_CONFIG=tempest.conf
tests=(
  'tempest.api.compute.admin.test_migrations.MigrationsAdminTest.test_cold_migration'
  'tempest.api.compute.admin.test_migrations.MigrationsAdminTest.test_revert_cold_migration'
  'tempest.api.compute.admin.test_migrations.MigrationsAdminTest.test_cold_migration_with_swap'
  'tempest.api.compute.admin.test_migrations.MigrationsAdminTest.test_list_migrations'
  'tempest.api.compute.admin.test_migrations.MigrationsAdminTest.test_list_migrations_in_flavor_resize_situation'
  'tempest.api.compute.admin.test_migrations.MigrationsAdminTest.test_resize_server_revert_deleted_flavor'
  'tempest.api.compute.admin.test_servers_negative.ServersAdminNegativeTestJSON.test_migrate_non_existent_server'
  'tempest.api.compute.admin.test_servers_negative.ServersAdminNegativeTestJSON.test_migrate_server_invalid_state'
)
printf '%s\n' "${tests[@]}" > include.txt
status=0
"$venv/bin/tempest" run --concurrency 1 --include-list include.txt || status=$?
# Every one of the eight must have run and passed: a skip is a failure of this stage.
passed=$("$venv/bin/stestr" last --subunit | "$venv/bin/subunit2csv" 2>/dev/null | grep -c ',success,' || true)
echo "tempest: $passed of ${#tests[@]} passed"
if [ "$status" -ne 0 ] || [ "$passed" -ne "${#tests[@]}" ]; then
  echo "tempest stage failed; log: $ws/etc/logs/tempest.log" >&2
  tail -50 "$ws/etc/logs/tempest.log" >&2 || true
  exit 1
fi
