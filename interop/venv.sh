#!/usr/bin/env bash
# Creates (once) the cache venv with the pinned Python clients (Tempest, openstackclient,
# novaclient, openstacksdk) and prints its path. Keyed by the lock file's hash so a changed pin gets a
# fresh venv; lives outside the work tree so a clean checkout stays clean.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
key=$(sha256sum "$here/requirements.lock" | cut -c1-12)
venv="${NOVA_CONFORM_CACHE:-$HOME/.cache/nova-conform}/clients-$key"
if [ ! -x "$venv/bin/openstack" ] || [ ! -x "$venv/bin/tempest" ] || [ ! -x "$venv/bin/nova" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --no-deps -r "$here/requirements.lock" >&2
fi
echo "$venv"
