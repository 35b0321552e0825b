#!/usr/bin/env bash
# CI stage: install (cached) and start upstream Nova on loopback, wait for
# READY, run a command against it, and always stop it.
#
#   upstream-nova/ci-stage.sh [--release SERIES] [--hosts N] [--full-host NAME] [--disabled-host NAME] [--same-host-migrate] [--timeout SECS] -- COMMAND [ARGS...]
#
# The command runs with these variables set:
#   OS_CLIENT_CONFIG_FILE  the clouds.yaml written by the launcher (clouds
#                          upstream-admin, -manager, -member, -reader, -other)
#   UPSTREAM_NOVA_IDENTITY the Keystone v3 URL
#   UPSTREAM_NOVA_COMPUTE  the compute v2.1 URL
#   UPSTREAM_NOVA_PYTHON   the release's venv python (has openstacksdk, requests, yaml)
#   UPSTREAM_NOVA_RELEASE  the --release given (empty: the launcher's default, the newest)
#   UPSTREAM_NOVA_VERSION, UPSTREAM_NOVA_MAX_MICROVERSION  the series' Nova version and max
#                          microversion as fixtures/releases.toml states them
# UPSTREAM_NOVA_LOG_DIR, if set, receives Nova's log and the launcher's output at the end
# (nova.log, launcher.stdout, launcher.stderr), kept for a failure's post-mortem.
# Exit status: the command's; 124 if Nova did not get READY in time (default
# 120 s; the first install of the venv is not counted), 125 if it died first.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
hosts=3
launcher_opts=()
release_opts=()
release=""
timeout=120
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release="$2"; release_opts=(--release "$2"); shift 2 ;;
    --hosts) hosts="$2"; shift 2 ;;
    --full-host) launcher_opts+=(--full-host "$2"); shift 2 ;;
    --disabled-host) launcher_opts+=(--disabled-host "$2"); shift 2 ;;
    --same-host-migrate) launcher_opts+=(--same-host-migrate); shift ;;
    --timeout) timeout="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "ci-stage: unknown option $1 (the command goes after --)" >&2; exit 2 ;;
  esac
done
if [ $# -eq 0 ]; then
  echo "usage: $0 [--release SERIES] [--hosts N] [--full-host NAME] [--disabled-host NAME] [--same-host-migrate] [--timeout SECS] -- COMMAND [ARGS...]" >&2
  exit 2
fi

py="${PYTHON:-python3}"
t0=$(date +%s)
"$py" "$here/launch.py" "${release_opts[@]}" --install-only
t_install=$(( $(date +%s) - t0 ))

work="$(mktemp -d "${TMPDIR:-/tmp}/upstream-nova-ci.XXXXXX")"
pid=""
stop() {
  local rc=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # The server exits by itself within its 15 s grace; past that, force it.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$work/stdout" ]; then
    echo "ci-stage: upstream Nova output (last lines):" >&2
    tail -n 20 "$work/stdout" "$work/stderr" >&2 || true
    log="$(sed -n 's/^log: //p' "$work/stdout")"
    [ -n "$log" ] && [ -f "$log" ] && { echo "ci-stage: nova log $log (errors):" >&2; grep -E " (ERROR|CRITICAL) " "$log" | tail -n 20 >&2 || true; }
  fi
  if [ -n "${UPSTREAM_NOVA_LOG_DIR:-}" ]; then
    mkdir -p "$UPSTREAM_NOVA_LOG_DIR"
    cp "$work/nova.log" "$UPSTREAM_NOVA_LOG_DIR/nova.log" 2>/dev/null || true
    cp "$work/stdout" "$UPSTREAM_NOVA_LOG_DIR/launcher.stdout" 2>/dev/null || true
    cp "$work/stderr" "$UPSTREAM_NOVA_LOG_DIR/launcher.stderr" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$py" "$here/launch.py" "${release_opts[@]}" --hosts "$hosts" "${launcher_opts[@]}" \
  --clouds-yaml "$work/clouds.yaml" --log-file "$work/nova.log" \
  >"$work/stdout" 2>"$work/stderr" &
pid=$!

t1=$(date +%s)
until grep -qx READY "$work/stdout" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "ci-stage: upstream Nova exited before READY" >&2
    exit 125
  fi
  if [ $(( $(date +%s) - t1 )) -ge "$timeout" ]; then
    echo "ci-stage: upstream Nova not READY after ${timeout}s" >&2
    exit 124
  fi
  sleep 0.2
done
t_start=$(( $(date +%s) - t1 ))

export OS_CLIENT_CONFIG_FILE="$work/clouds.yaml"
UPSTREAM_NOVA_IDENTITY="$(sed -n 's/^identity: //p' "$work/stdout")"
UPSTREAM_NOVA_COMPUTE="$(sed -n 's/^compute: //p' "$work/stdout")"
UPSTREAM_NOVA_PYTHON="$("$py" "$here/launch.py" "${release_opts[@]}" --print-venv)/bin/python"
UPSTREAM_NOVA_RELEASE="$release"
read -r _ _ UPSTREAM_NOVA_VERSION UPSTREAM_NOVA_MAX_MICROVERSION \
  < <("$py" "$here/launch.py" "${release_opts[@]}" --print-series)
export UPSTREAM_NOVA_IDENTITY UPSTREAM_NOVA_COMPUTE UPSTREAM_NOVA_PYTHON UPSTREAM_NOVA_RELEASE
export UPSTREAM_NOVA_VERSION UPSTREAM_NOVA_MAX_MICROVERSION
echo "ci-stage: upstream Nova $UPSTREAM_NOVA_VERSION READY at $UPSTREAM_NOVA_COMPUTE (install ${t_install}s, start ${t_start}s)"

set +e
"$@"
rc=$?
set -e
echo "ci-stage: command exited $rc after $(( $(date +%s) - t0 ))s in total"
exit "$rc"
