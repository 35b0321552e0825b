#!/usr/bin/env bash
# The dry-run estimate against the measured wall time of the run it estimates, on
# `mockcloud serve --lifecycle timed` with some history (interop/estimate/history.py).
# A repeatable figure, not a test: it prints one line per setting and never fails on the
# ratio (the target is within 25 %).
#
#   interop/estimate/check.sh                       # the settings below
#   SETTINGS="200|16|" interop/estimate/check.sh    # step-ms|jobs|extra run arguments;...
#   HISTORY=0 interop/estimate/check.sh             # servers of history (default 4; 0: none,
#                                                   # the estimate is then uncalibrated)
#
# Needs target/{debug,release}/{mockcloud,nova-conform} (BUILD=release|debug, default debug).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-debug}
mock=$root/target/$build/mockcloud
nc=$root/target/$build/nova-conform
SETTINGS=${SETTINGS:-"200|16|;200|4|;500|16|;100|16|--poll-interval 0.25;200|16|--exhaustive --microversions 2.55-2.57"}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

secs() { # 1h02m | 3m07s | 42s | 0.8s -> seconds (awk: no bc on a fresh machine)
  awk -v t="$1" 'BEGIN { h = 0; m = 0
    if (t ~ /h/) { split(t, a, "h"); h = a[1]; t = a[2] }
    if (t ~ /m/) { split(t, a, "m"); m = a[1]; t = a[2] }
    sub(/s$/, "", t); print h * 3600 + m * 60 + t }'
}

printf "%-8s %-5s %-45s %10s %10s %8s\n" step-ms jobs arguments estimate measured error
IFS=';' read -ra list <<<"$SETTINGS"
for s in "${list[@]}"; do
  IFS='|' read -r step jobs extra <<<"$s"
  "$mock" serve --bind 127.0.0.1:0 --lifecycle timed --step-ms "$step" \
    --clouds-yaml "$work/clouds.yaml" >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q READY "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
  if [ "${HISTORY:-4}" != 0 ]; then
    python3 "$here/history.py" "$work/clouds.yaml" mockcloud-admin "${HISTORY:-4}" >/dev/null
  fi
  export OS_CLIENT_CONFIG_FILE=$work/clouds.yaml
  # shellcheck disable=SC2086
  args=(run --os-cloud mockcloud-admin --member-cloud mockcloud-member
        --manager-cloud mockcloud-manager --other-cloud mockcloud-other --jobs "$jobs" $extra)
  "$nc" "${args[@]}" --dry-run </dev/null >"$work/dry.txt" 2>/dev/null
  est=$(sed -nE 's/.*estimated wall time: ([0-9hms.]+) .*/\1/p' "$work/dry.txt")
  flag=" "; if grep -q "uncalibrated" "$work/dry.txt"; then flag="*"; fi
  t0=$(date +%s.%N)
  "$nc" "${args[@]}" </dev/null >/dev/null 2>"$work/run.err" || true
  t1=$(date +%s.%N)
  measured=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  e=$(secs "$est")
  printf "%-8s %-5s %-45s %9.1fs%s %9.1fs %+7.0f%%\n" "$step" "$jobs" "${extra:--}" "$e" "$flag" "$measured" \
    "$(awk -v e="$e" -v m="$measured" 'BEGIN { print (e - m) * 100 / m }')"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
echo "(* = some durations uncalibrated)"
