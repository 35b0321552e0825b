"""The launcher's release logic (launch.py): series lookup, Python selection, lock parsing,
cache key, error messages. No Nova, no network: everything runs on temporary files."""

import contextlib
import io
import os
import stat
import tempfile
import unittest

import launch

try:
    import tomllib  # noqa: F401
except ImportError:  # the launcher needs 3.11; a venv of an older release may run these tests
    tomllib = None

TABLE = """
[[series]]
id = "2025.1"
codename = "epoxy"
nova = "31.0.0"
verified = "31.3.1"
max_microversion = "2.100"
python = "3.12"
lock = "locks/2025.1.lock"

[[series]]
id = "2018.1"
codename = "queens"
nova = "17.0.0"
verified = "17.0.13"
max_microversion = "2.60"
python = "3.6"
lock = "locks/2018.1.lock"

[[series]]
id = "2026.2"
codename = "2026.2"
nova = "34.0.0"
verified = "34.0.0"
max_microversion = "2.104"
python = "3.11"
lock = "locks/2026.2.lock"
"""


def series(id_="2025.1", python="3.12", lock="locks/2025.1.lock"):
    return {"id": id_, "codename": "epoxy", "nova": "31.0.0", "verified": "31.3.1", "python": python, "lock": lock}


class Tmp(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.addCleanup(self._tmp.cleanup)

    def write(self, rel, text, mode=None):
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        if mode:
            os.chmod(path, mode)
        return path


@unittest.skipIf(tomllib is None, "needs tomllib (Python >= 3.11), as the launcher does")
class TableTest(Tmp):
    def table(self):
        return launch.load_releases(self.write("releases.toml", TABLE))

    def test_sorted_oldest_first(self):
        self.assertEqual([s["id"] for s in self.table()], ["2018.1", "2025.1", "2026.2"])

    def test_lookup_by_id_codename_and_version(self):
        t = self.table()
        self.assertEqual(launch.find_series(t, "2025.1")["id"], "2025.1")
        self.assertEqual(launch.find_series(t, "Epoxy")["id"], "2025.1")
        self.assertEqual(launch.find_series(t, "31.3.1")["id"], "2025.1")
        self.assertEqual(launch.find_series(t, "31")["id"], "2025.1")
        self.assertEqual(launch.find_series(t, "17.0")["id"], "2018.1")

    def test_default_is_newest(self):
        self.assertEqual(launch.find_series(self.table())["id"], "2026.2")

    def test_unknown_series_lists_the_known(self):
        with self.assertRaises(launch.LaunchError) as cm:
            launch.find_series(self.table(), "2030.1")
        self.assertEqual(
            str(cm.exception),
            "unknown release '2030.1'; known: 2018.1 (queens, nova 17.0.13), "
            "2025.1 (epoxy, nova 31.3.1), 2026.2 (2026.2, nova 34.0.0)",
        )

    def test_other_version_of_a_series_is_refused(self):
        with self.assertRaises(launch.LaunchError) as cm:
            launch.find_series(self.table(), "31.0.0")
        self.assertEqual(
            str(cm.exception),
            "nova 31.0.0 is not installable: series 2025.1 (epoxy) is locked to nova 31.3.1 "
            "(use --release 2025.1)",
        )

    def test_missing_field_is_named(self):
        path = self.write("bad.toml", '[[series]]\nid = "2025.1"\ncodename = "epoxy"\n')
        with self.assertRaises(launch.LaunchError) as cm:
            launch.load_releases(path)
        self.assertEqual(str(cm.exception), "the release table %s: series '2025.1' has no nova" % path)

    def test_missing_and_invalid_table(self):
        with self.assertRaises(launch.LaunchError) as cm:
            launch.load_releases(os.path.join(self.tmp, "none.toml"))
        self.assertIn("is missing", str(cm.exception))
        with self.assertRaises(launch.LaunchError) as cm:
            launch.load_releases(self.write("x.toml", "[[series]\n"))
        self.assertIn("is not valid TOML", str(cm.exception))

    def test_the_repository_table_has_a_lock_for_the_newest(self):
        t = launch.load_releases()
        newest = launch.find_series(t)
        self.assertEqual((newest["id"], newest["verified"]), ("2026.2", "34.0.0"))
        lock, build = launch.lock_paths(newest)
        self.assertEqual(lock, os.path.join(launch.HERE, "locks", "2026.2.lock"))
        self.assertIsNone(build)
        self.assertIn(("nova", "34.0.0"), launch.parse_lock(lock))


class PythonTest(Tmp):
    def fake(self, rel, prints="3.10"):
        return self.write(rel, "#!/bin/sh\necho %s\n" % prints, mode=stat.S_IRWXU)

    def test_newest_patch_under_pyenv(self):
        self.fake("pyenv/versions/3.10.2/bin/python")
        best = self.fake("pyenv/versions/3.10.13/bin/python")
        self.fake("pyenv/versions/3.10.14t/bin/python")  # free-threaded build: not plain CPython
        self.fake("pyenv/versions/3.1.99/bin/python")
        self.fake("pyenv/versions/3.11.7/bin/python", "3.11")
        got = launch.find_python("3.10", pyenv_roots=[os.path.join(self.tmp, "pyenv")], path="")
        self.assertEqual(got, best)

    def test_second_root_and_path_fallback(self):
        second = self.fake("b/versions/3.12.1/bin/python", "3.12")
        roots = [os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b")]
        self.assertEqual(launch.find_python("3.12", pyenv_roots=roots, path=""), second)
        onpath = self.fake("bin/python3.9", "3.9")
        got = launch.find_python("3.9", pyenv_roots=roots, path=os.path.join(self.tmp, "bin"))
        self.assertEqual(got, onpath)

    def test_path_candidate_must_be_that_version(self):
        # A pyenv shim answers for every name; one that is not really 3.8 does not count.
        self.fake("bin/python3.8", "3.11")
        self.assertIsNone(launch.find_python("3.8", pyenv_roots=[], path=os.path.join(self.tmp, "bin")))

    def test_bad_spec(self):
        with self.assertRaises(launch.LaunchError):
            launch.find_python("3", pyenv_roots=[], path="")

    def test_missing_python_error_names_it(self):
        self.write("locks/2025.1.lock", "nova==31.3.1\n")
        s = series(python="3.99")
        old = launch.HERE, os.environ.get("PYENV_ROOT"), os.environ.get("PATH")
        launch.HERE = self.tmp
        os.environ["PYENV_ROOT"] = os.path.join(self.tmp, "nopyenv")
        os.environ["NOVA_CONFORM_CACHE"] = os.path.join(self.tmp, "cache")
        try:
            with self.assertRaises(launch.LaunchError) as cm:
                launch.ensure_venv(s, quiet=True)
        finally:
            launch.HERE = old[0]
            os.environ.pop("NOVA_CONFORM_CACHE")
            if old[1] is None:
                os.environ.pop("PYENV_ROOT")
            else:
                os.environ["PYENV_ROOT"] = old[1]
        msg = str(cm.exception)
        self.assertTrue(msg.startswith("release 2025.1 (nova 31.3.1) needs Python 3.99: none under"), msg)
        self.assertIn("python3.99 on PATH", msg)
        # Nothing was installed: the Python is checked before uv and the venv.
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "cache")))


class LockTest(Tmp):
    def test_pins_comments_and_markers(self):
        path = self.write("a.lock", "# header\n\nnova==31.3.1\noslo.db==17.2.0  # why\nfoo_bar==1.0 ; python_version >= '3.8'\n")
        self.assertEqual(launch.parse_lock(path), [("nova", "31.3.1"), ("oslo.db", "17.2.0"), ("foo_bar", "1.0")])

    def test_unpinned_line_is_named(self):
        path = self.write("a.lock", "nova==31.3.1\nrequests>=2\n")
        with self.assertRaises(launch.LaunchError) as cm:
            launch.parse_lock(path)
        self.assertEqual(str(cm.exception), "%s:2 is not a `name==version` pin: requests>=2" % path)

    def test_duplicate_and_empty(self):
        path = self.write("a.lock", "oslo.db==1\noslo-db==2\n")
        with self.assertRaises(launch.LaunchError) as cm:
            launch.parse_lock(path)
        self.assertEqual(str(cm.exception), "%s pins oslo-db more than once" % path)
        with self.assertRaises(launch.LaunchError) as cm:
            launch.parse_lock(self.write("b.lock", "# nothing\n"))
        self.assertIn("pins nothing", str(cm.exception))

    def test_missing_lock_error(self):
        here = os.path.join(self.tmp, "upstream-nova")
        os.makedirs(here)
        with self.assertRaises(launch.LaunchError) as cm:
            launch.lock_paths(series(), here=here)
        self.assertEqual(
            str(cm.exception),
            "release 2025.1 (epoxy, nova 31.3.1) has no lock file upstream-nova/locks/2025.1.lock: "
            "it cannot be installed yet",
        )

    def test_build_constraints_found_beside_the_lock(self):
        lock = self.write("locks/2025.1.lock", "nova==31.3.1\n")
        self.assertEqual(launch.lock_paths(series(), here=self.tmp), (lock, None))
        build = self.write("locks/2025.1.build.txt", "setuptools==44.0.0\n")
        self.assertEqual(launch.lock_paths(series(), here=self.tmp), (lock, build))


class CacheKeyTest(Tmp):
    def test_key_follows_lock_build_and_python(self):
        lock = self.write("l.lock", "nova==31.3.1\n")
        build = self.write("b.txt", "setuptools==44.0.0\n")
        base = launch.cache_key(lock, None, "3.12")
        self.assertEqual(len(base), 16)
        self.assertEqual(base, launch.cache_key(lock, None, "3.12"))
        self.assertNotEqual(base, launch.cache_key(lock, None, "3.11"))
        self.assertNotEqual(base, launch.cache_key(lock, build, "3.12"))
        self.write("l.lock", "nova==31.3.0\n")
        self.assertNotEqual(base, launch.cache_key(lock, None, "3.12"))

    def test_empty_build_constraints_differ_from_none(self):
        lock = self.write("l.lock", "nova==31.3.1\n")
        empty = self.write("b.txt", "")
        # Moving a line from the lock to the build file must change the key too: the files are
        # hashed separately, not concatenated.
        self.assertNotEqual(launch.cache_key(lock, None, "3.12"), launch.cache_key(lock, empty, "3.12"))

    def test_venv_dir_names_the_series(self):
        self.write("locks/2025.1.lock", "nova==31.3.1\n")
        got = launch.venv_dir(series(), root="/cache", here=self.tmp)
        key = launch.cache_key(os.path.join(self.tmp, "locks/2025.1.lock"), None, "3.12")
        self.assertEqual(got, "/cache/upstream-nova-2025.1-" + key)


class BuildOnceTest(Tmp):
    def test_complete_venv_is_reused_and_incomplete_rebuilt(self):
        path = os.path.join(self.tmp, "v")
        calls = []

        def build(p):
            calls.append(p)
            os.makedirs(p)
            with open(os.path.join(p, "file"), "w") as f:
                f.write(str(len(calls)))

        os.makedirs(path)  # an interrupted build: no .complete
        with open(os.path.join(path, "stale"), "w"):
            pass
        self.assertEqual(launch._locked_build(path, build, quiet=True), path)
        self.assertEqual(calls, [path])
        self.assertFalse(os.path.exists(os.path.join(path, "stale")))
        self.assertTrue(os.path.exists(os.path.join(path, ".complete")))
        launch._locked_build(path, build, quiet=True)
        self.assertEqual(len(calls), 1)

    def test_failed_build_is_not_marked_complete(self):
        path = os.path.join(self.tmp, "v")

        def build(p):
            os.makedirs(p)
            raise RuntimeError("pip failed")

        with self.assertRaises(RuntimeError):
            launch._locked_build(path, build, quiet=True)
        self.assertFalse(os.path.exists(os.path.join(path, ".complete")))


class ArgsTest(unittest.TestCase):
    def test_split_release(self):
        self.assertEqual(launch.split_release(["--hosts", "3"]), (None, ["--hosts", "3"]))
        self.assertEqual(
            launch.split_release(["--release", "2025.1", "--hosts", "3", "--print-venv"]),
            ("2025.1", ["--hosts", "3", "--print-venv"]),
        )
        self.assertEqual(launch.split_release(["--release=epoxy"]), ("epoxy", []))
        with self.assertRaises(launch.LaunchError):
            launch.split_release(["--release"])

    @unittest.skipIf(tomllib is None, "needs tomllib")
    def test_main_reports_unknown_release_and_exits_2(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = launch.main(["--release", "1999.1", "--print-venv"])
        self.assertEqual(rc, 2)
        self.assertTrue(err.getvalue().startswith("upstream-nova: unknown release '1999.1'; known: 2018.1 (queens"))

    @unittest.skipIf(tomllib is None, "needs tomllib")
    def test_main_print_series(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = launch.main(["--release", "caracal", "--print-series"])
        self.assertEqual((rc, out.getvalue()), (0, "2024.1 caracal 29.4.0 2.96\n"))


if __name__ == "__main__":
    unittest.main()
