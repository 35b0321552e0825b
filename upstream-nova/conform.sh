#!/usr/bin/env bash
# Runs `nova-conform run` and `nova-conform fidelity` against upstream Nova, under
# upstream-nova/ci-stage.sh started with `--full-host compute-full --disabled-host
# compute-disabled` (OS_CLIENT_CONFIG_FILE points at its clouds.yaml). Both always run (a
# release's Fails and its differences are read together); exits with the first non-zero
# status: run 1 (a Fail verdict) or 3 (engine errors), else fidelity 1 (a difference) or 3.
#   NOVA_CONFORM_BIN  the binary (default target/release/nova-conform)
#   NOVA_CONFORM_OUT  where the reports go (default: a temporary directory, printed)
#   NOVA_CONFORM_RUN  0: skip `run` (fidelity judges the endpoint with the same plan and oracle
#                     and exits 1 on a Fail too; its endpoint report goes to endpoint.json)
#   NOVA_CONFORM_LIVE 0: both with --no-live (the cold cases only; CI's time budget runs the
#                     live cases on a few series, docs/upstream-nova.md)
set -euo pipefail
bin="${NOVA_CONFORM_BIN:-target/release/nova-conform}"
out="${NOVA_CONFORM_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/nova-conform-upstream.XXXXXX")}"
mkdir -p "$out"
common=(
  --os-cloud upstream-admin --manager-cloud upstream-manager
  --member-cloud upstream-member --other-cloud upstream-other
  --full-host compute-full --poll-interval 0.2
)
if [ "${NOVA_CONFORM_LIVE:-1}" = 0 ]; then
  common+=(--no-live)
fi
t0=$(date +%s.%N)
rc_run=0
if [ "${NOVA_CONFORM_RUN:-1}" != 0 ]; then
  "$bin" run "${common[@]}" --json "$out/run.json" --junit "$out/run.xml" || rc_run=$?
fi
t1=$(date +%s.%N)
rc_fid=0
"$bin" fidelity "${common[@]}" --json "$out/fidelity.json" --report-json "$out/endpoint.json" || rc_fid=$?
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v o="$out" -v r="$rc_run" -v f="$rc_fid" \
  'BEGIN { printf "conform: run %.1f s, fidelity %.1f s (exit %d, %d); reports in %s\n", b - a, c - b, r, f, o }'
[ "$rc_run" -ne 0 ] && exit "$rc_run"
exit "$rc_fid"
