"""ci-releases.sh end to end with a fake stage and a fake installer (no Nova): the summary
table's counts come from the reports, a failing series is named, the exit code says so."""

import json
import os
import stat
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(HERE, "ci-releases.sh")

# The stage: writes the reports conform.sh would, per series, as FAKE_<id> says:
# "pass" (all pass, no difference), "fail" (2 Fails, 3 differences in 2 cases), "hang",
# "flaky" (fails the first attempt, passes the next). With NOVA_CONFORM_RUN=0 the counts go to
# endpoint.json (fidelity's endpoint report) instead of run.json.
STAGE = r"""#!/bin/bash
release="$2"
case "${FAKE_MODE_FILE:+x}" in x) mode=$(grep "^$release " "$FAKE_MODE_FILE" | cut -d' ' -f2) ;; esac
mkdir -p "$NOVA_CONFORM_OUT"
echo "$NOVA_CONFORM_LIVE" > "$NOVA_CONFORM_OUT/live"
echo "ci-stage: upstream Nova 9.9.$release READY at http://127.0.0.1:1/v2.1 (install 0s, start 3s)"
report="$NOVA_CONFORM_OUT/run.json"
[ "$NOVA_CONFORM_RUN" = 0 ] && report="$NOVA_CONFORM_OUT/endpoint.json"
if [ "$mode" = flaky ]; then
  if [ -e "$FAKE_MODE_FILE.$release.tried" ]; then mode=pass; else touch "$FAKE_MODE_FILE.$release.tried"; mode=fail; fi
fi
case "$mode" in
  hang) sleep 30 ;;
  fail)
    echo '{"schema":"nova-conform.report/1","runs":[{"counts":{"pass":10,"fail":2,"skip":0,"error":0}}]}' > "$report"
    echo '[{"case":"a","name":"n","what":"status","mock":"202","endpoint":"403"},{"case":"a","name":"n","what":"message","mock":"","endpoint":"x"},{"case":"b","name":"m","what":"status","mock":"202","endpoint":"403"}]' > "$NOVA_CONFORM_OUT/fidelity.json"
    echo "conform: run 1.5 s, fidelity 2.5 s (exit 1, 1); reports in $NOVA_CONFORM_OUT"
    exit 1 ;;
  *)
    echo '{"schema":"nova-conform.report/1","runs":[{"counts":{"pass":12,"fail":0,"skip":0,"error":0},"nova_release":{"summary":"behaves like X","consistent":true}}]}' > "$report"
    echo '[]' > "$NOVA_CONFORM_OUT/fidelity.json"
    echo "conform: run 1.0 s, fidelity 2.0 s (exit 0, 0); reports in $NOVA_CONFORM_OUT"
    ;;
esac
"""

# The launcher's interpreter: --install-only succeeds (or fails for the series in
# FAKE_INSTALL_FAIL) without installing; everything else is the real launcher.
PYTHON = r"""#!/bin/bash
for a in "$@"; do
  if [ "$a" = --install-only ]; then
    prev=""; for b in "$@"; do [ "$prev" = --release ] && rel="$b"; prev="$b"; done
    [ "$rel" = "$FAKE_INSTALL_FAIL" ] && { echo "boom" >&2; exit 7; }
    exit 0
  fi
done
exec python3 "$@"
"""


class CiReleasesTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name
        self.stage = self._exe("stage", STAGE)
        self.python = self._exe("python", PYTHON)
        self.bin = self._exe("nova-conform", "#!/bin/sh\nexit 0\n")

    def _exe(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, stat.S_IRWXU)
        return path

    def run_script(self, modes, args, install_fail="", timeout="20", **extra):
        modes_file = os.path.join(self.tmp, "modes")
        with open(modes_file, "w") as f:
            f.write("".join("%s %s\n" % kv for kv in modes.items()))
        out = os.path.join(self.tmp, "out")
        env = dict(os.environ, PYTHON=self.python, CI_RELEASES_STAGE=self.stage, CI_RELEASES_OUT=out,
                   NOVA_CONFORM_BIN=self.bin, FAKE_MODE_FILE=modes_file, FAKE_INSTALL_FAIL=install_fail,
                   CI_RELEASES_TIMEOUT=timeout, CI_RELEASES_JOBS="2", **extra)
        p = subprocess.run(["bash", SCRIPT] + args, env=env, capture_output=True, text=True, timeout=120)
        return p, out

    def test_all_pass(self):
        p, out = self.run_script({}, ["2025.2", "gazpacho"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        lines = p.stdout.splitlines()
        self.assertIn("ci-releases: all 2 series passed", lines)
        rows = [line.split() for line in lines if line.startswith(("2025.2 ", "2026.1 "))]
        self.assertEqual(
            rows,
            [["2025.2", "9.9.2025.2", "ok", "12/0/0/0", "0", "in", "0", "behaves", "like", "X", "0s", "3s", "1.0s",
              "2.0s", rows[0][-1]],
             ["2026.1", "9.9.2026.1", "ok", "12/0/0/0", "0", "in", "0", "behaves", "like", "X", "0s", "3s", "1.0s",
              "2.0s", rows[1][-1]]],
        )
        self.assertTrue(os.path.isfile(os.path.join(out, "2026.1", "run.json")))

    def test_failures_are_named_and_exit_1(self):
        p, _ = self.run_script({"2025.1": "fail", "2026.1": "hang"}, ["2025.1", "2025.2", "2026.1"],
                               install_fail="2025.2", timeout="3")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        failed = [line for line in p.stdout.splitlines() if line.startswith("ci-releases: FAILED: ")]
        self.assertEqual(
            failed,
            ["ci-releases: FAILED: 2025.1 (run: 2 fail, 0 skip, 0 error; fidelity: 3 differences in 2 cases), "
             "2025.2 (install failed (exit 7)), 2026.1 (no run report; timed out after 3s)"],
        )
        row = [line.split() for line in p.stdout.splitlines() if line.startswith("2025.1 ")][0]
        self.assertEqual(row[2:7], ["FAIL", "10/2/0/0", "3", "in", "2"])
        # Never READY: the table's version.
        row = [line.split() for line in p.stdout.splitlines() if line.startswith("2025.2 ")][0]
        self.assertEqual(row[1:4], ["32.2.1", "FAIL", "-"])
        self.assertIn("ci-releases: 2025.2 install FAILED (exit 7", p.stderr)

    def test_fidelity_only_series_read_the_endpoint_report(self):
        p, out = self.run_script({"2025.1": "fail"}, ["2025.1", "2025.2"], CI_RELEASES_RUN="2025.2")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertTrue(os.path.isfile(os.path.join(out, "2025.2", "run.json")))
        self.assertFalse(os.path.exists(os.path.join(out, "2025.1", "run.json")))
        row = [line.split() for line in p.stdout.splitlines() if line.startswith("2025.1 ")][0]
        self.assertEqual(row[2:8], ["FAIL", "10/2/0/0", "3", "in", "2", "-"])
        self.assertIn("(fidelity)", row)

    def test_live_cases_only_on_the_series_named(self):
        read = lambda out, s: open(os.path.join(out, s, "live")).read().strip()
        p, out = self.run_script({}, ["2025.1", "2025.2"], CI_RELEASES_LIVE="2025.2")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual((read(out, "2025.1"), read(out, "2025.2")), ("0", "1"))
        p, out = self.run_script({}, ["2025.1", "2025.2"])
        self.assertEqual((read(out, "2025.1"), read(out, "2025.2")), ("1", "1"))

    def test_a_retried_series_says_so(self):
        p, out = self.run_script({"2025.1": "flaky", "2025.2": "fail"}, ["2025.1", "2025.2"],
                                 CI_RELEASES_RETRIES="1")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        row = [line.split() for line in p.stdout.splitlines() if line.startswith("2025.1 ")][0]
        self.assertEqual(row[2:6], ["ok", "after", "1", "retry"])
        self.assertIn("ci-releases: 2025.1: a failed attempt was retried (2025.1.try1.log): ", p.stdout)
        self.assertTrue(os.path.isdir(os.path.join(out, "2025.1.try1")))
        # A series that fails every attempt still fails, and was tried twice.
        self.assertTrue(os.path.exists(os.path.join(out, "2025.2.try1.log")))
        failed = [line for line in p.stdout.splitlines() if line.startswith("ci-releases: FAILED: ")]
        self.assertEqual(failed, ["ci-releases: FAILED: 2025.2 (run: 2 fail, 0 skip, 0 error; "
                                  "fidelity: 3 differences in 2 cases)"])

    def test_unknown_series_is_a_usage_error(self):
        p, _ = self.run_script({}, ["2030.1"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown release '2030.1'", p.stderr)


if __name__ == "__main__":
    unittest.main()
