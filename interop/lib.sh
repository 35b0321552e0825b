# Shared helpers for the interop stages: start `mockcloud serve` on a free loopback port,
# wait for READY, and always stop it. Sourced, not run.
MOCK_PID=""
MOCK_DIR=""

# start_mock [extra serve args...]: sets MOCK_DIR (holds clouds.yaml and the log) and MOCK_PID.
start_mock() {
  local bin="${MOCKCLOUD_BIN:-target/release/mockcloud}"
  [ -x "$bin" ] || { echo "mockcloud binary not found at $bin (cargo build --release -p mockcloud)" >&2; return 2; }
  MOCK_DIR=$(mktemp -d)
  "$bin" serve --bind 127.0.0.1:0 --clouds-yaml "$MOCK_DIR/clouds.yaml" "$@" >"$MOCK_DIR/serve.log" 2>&1 &
  MOCK_PID=$!
  trap stop_mock EXIT
  for _ in $(seq 1 100); do
    grep -q '^READY' "$MOCK_DIR/serve.log" 2>/dev/null && return 0
    kill -0 "$MOCK_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "mockcloud did not print READY:" >&2; cat "$MOCK_DIR/serve.log" >&2
  return 1
}

stop_mock() {
  if [ -n "$MOCK_PID" ] && kill -0 "$MOCK_PID" 2>/dev/null; then
    kill -TERM "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true
  fi
  MOCK_PID=""
}
