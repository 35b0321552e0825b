#!/usr/bin/env python3
"""Start upstream Nova of one release (from PyPI, pinned by its lock file) on loopback.

    python3 upstream-nova/launch.py [--release SERIES] --hosts 3 --clouds-yaml clouds.yaml [--bind 127.0.0.1:0]

SERIES is a series id (2025.1), a codename (epoxy) or a Nova version (31.3.1, or just 31);
the default is the newest series of fixtures/releases.toml. The table names, for each
series, the CPython it needs (`python`, X.Y: found under $PYENV_ROOT/versions, ~/.pyenv/versions
or as pythonX.Y on PATH) and its lock (`lock`, relative to upstream-nova/: a fully pinned
`name==version` file installed with --no-deps, plus an optional `<id>.build.txt` of build
constraints for the sdists that must be built).

On first use of a series it creates a cache venv keyed by the hash of the lock, the build
constraints and the Python X.Y under $NOVA_CONFORM_CACHE or ~/.cache/nova-conform, with uv
(a pinned version, itself installed from PyPI into the cache; its download cache is
`<cache>/uv-cache` unless UV_CACHE_DIR is set); then it replaces itself with the server
(upstream_nova.serve) running in that venv. The server prints the identity and compute URLs,
the clouds.yaml path and READY, and stops cleanly on SIGINT/SIGTERM.

`--install-only` prepares the venv and exits; `--print-venv` prints its path; `--print-series`
prints the selected series' "id codename nova-version max-microversion" (all take --release);
`--list-releases` prints that line for every series, with "locked" or "no-lock". Runs with the standard library only (it is what creates the venvs).
"""

import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RELEASES = os.path.join(os.path.dirname(HERE), "fixtures", "releases.toml")
# The launcher itself reads the table with tomllib (3.11); each release runs on its own Python.
MIN_PYTHON = (3, 11)
# The installer, pinned: the same uv resolves and installs every lock on every machine.
UV_VERSION = "0.13.9"
PREFIX = "upstream-nova: "


class LaunchError(Exception):
    """A problem the user can fix; main() prints it as one line and exits 2."""


# --- the release table ------------------------------------------------------------------------


def load_releases(path=RELEASES):
    """The [[series]] entries of fixtures/releases.toml, oldest first."""
    import tomllib  # 3.11+, checked in main(); imported here so that --help works anywhere

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise LaunchError("the release table %s is missing" % path) from None
    except tomllib.TOMLDecodeError as exc:
        raise LaunchError("the release table %s is not valid TOML: %s" % (path, exc)) from None
    series = data.get("series")
    if not isinstance(series, list) or not series:
        raise LaunchError("the release table %s has no [[series]]" % path)
    for s in series:
        for key in ("id", "codename", "nova", "verified", "python", "lock"):
            if not isinstance(s.get(key), str):
                raise LaunchError("the release table %s: series %r has no %s" % (path, s.get("id"), key))
    return sorted(series, key=lambda s: _version_key(s["id"]))


def _version_key(text):
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.]", text))


def known_list(series):
    return ", ".join("%s (%s, nova %s)" % (s["id"], s["codename"], s["verified"]) for s in series)


def find_series(series, name=None):
    """The series NAME names: an id (2025.1), a codename (epoxy, any case) or a Nova version
    (31.3.1, 31.3 or 31). None: the newest series."""
    if name is None:
        return series[-1]
    want = name.strip().lower()
    for s in series:
        if want == s["id"] or want == s["codename"].lower():
            return s
    if re.fullmatch(r"\d+(\.\d+){0,2}", want):
        major = want.split(".")[0]
        for s in series:
            if s["nova"].split(".")[0] != major:
                continue
            # The lock installs exactly `verified`: another version of the series would be a
            # silent substitution, so say so rather than run something else.
            parts = want.split(".")
            if parts != s["verified"].split(".")[: len(parts)]:
                raise LaunchError(
                    "nova %s is not installable: series %s (%s) is locked to nova %s "
                    "(use --release %s)" % (name, s["id"], s["codename"], s["verified"], s["id"])
                )
            return s
    raise LaunchError("unknown release %r; known: %s" % (name, known_list(series)))


# --- Python, lock, cache key ------------------------------------------------------------------


def find_python(xy, pyenv_roots=None, path=None):
    """The newest CPython X.Y under the pyenv roots, else pythonX.Y on PATH; None if none."""
    if not re.fullmatch(r"\d+\.\d+", xy):
        raise LaunchError("bad python %r in the release table (expected X.Y)" % xy)
    if pyenv_roots is None:
        pyenv_roots = [r for r in (os.environ.get("PYENV_ROOT"), os.path.expanduser("~/.pyenv"), "/root/.pyenv") if r]
    found = []
    for root in pyenv_roots:
        for p in glob.glob(os.path.join(root, "versions", xy + ".*", "bin", "python")):
            patch = os.path.basename(os.path.dirname(os.path.dirname(p)))[len(xy) + 1 :]
            # 3.10.13 but not 3.10.13t or 3.10-dev: only plain CPython releases.
            if patch.isdigit() and os.access(p, os.X_OK):
                found.append((int(patch), p))
    if found:
        return max(found)[1]
    exe = shutil.which("python" + xy, path=path)
    if exe and _python_is(exe, xy):
        return exe
    return None


def _python_is(exe, xy):
    # A pyenv shim exists for every version and fails for one that is not installed.
    try:
        out = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == xy


_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.!+_-]+)\s*(;.*)?$")


def parse_lock(path):
    """[(name, version)] of a fully pinned lock; LaunchError naming the first bad line."""
    pins = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            m = _PIN.match(text)
            if not m:
                raise LaunchError("%s:%d is not a `name==version` pin: %s" % (path, n, text))
            pins.append((m.group(1), m.group(2)))
    if not pins:
        raise LaunchError("%s pins nothing" % path)
    names = [re.sub(r"[-_.]+", "-", name).lower() for name, _ in pins]
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise LaunchError("%s pins %s more than once" % (path, ", ".join(dup)))
    return pins


def lock_paths(s, here=HERE):
    """(lock, build constraints or None) of series S; LaunchError if the lock is missing."""
    lock = os.path.join(here, s["lock"])
    if not os.path.isfile(lock):
        raise LaunchError(
            "release %s (%s, nova %s) has no lock file %s: it cannot be installed yet"
            % (s["id"], s["codename"], s["verified"], os.path.relpath(lock, os.path.dirname(here)))
        )
    build = lock[: -len(".lock")] + ".build.txt" if lock.endswith(".lock") else lock + ".build.txt"
    return lock, (build if os.path.isfile(build) else None)


def cache_root():
    return os.environ.get("NOVA_CONFORM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nova-conform"
    )


def cache_key(lock, build, xy):
    """What a venv depends on: the exact pins, the build constraints, the Python X.Y."""
    h = hashlib.sha256()
    for path in (lock, build):
        # Each file length-prefixed, and "no file" apart from an empty one: moving a line from
        # one file to the other, or adding an empty build file, changes the key.
        if path:
            with open(path, "rb") as f:
                data = f.read()
            h.update(b"file %d\n" % len(data) + data)
        else:
            h.update(b"none\n")
    h.update(b"python " + xy.encode())
    return h.hexdigest()[:16]


def venv_dir(s, root=None, here=HERE):
    lock, build = lock_paths(s, here)
    return os.path.join(root or cache_root(), "upstream-nova-%s-%s" % (s["id"], cache_key(lock, build, s["python"])))


def venv_python(path):
    return os.path.join(path, "bin", "python")


# --- installing -------------------------------------------------------------------------------


def _say(quiet):
    return (lambda *_: None) if quiet else (lambda msg: print(PREFIX + msg, file=sys.stderr, flush=True))


def _locked_build(path, build, quiet):
    """Run build(path) once under a file lock unless `path/.complete` exists; return path.

    The venv is made in place (its scripts and .pyc files name their real path); a directory
    without .complete is a build that was interrupted and is made again."""
    done = os.path.join(path, ".complete")
    if os.path.exists(done):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Two launchers started at once (e.g. parallel CI stages) build it once.
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(done):
            return path
        shutil.rmtree(path, ignore_errors=True)
        t0 = time.monotonic()
        build(path)
        took = time.monotonic() - t0
        with open(done, "w") as f:
            f.write("installed in %.1fs\n" % took)
        _say(quiet)("installed %s in %.1fs" % (path, took))
    return path


def ensure_uv(root=None, quiet=False):
    """The pinned uv, installed with pip into its own venv in the cache; its path."""
    path = os.path.join(root or cache_root(), "uv-" + UV_VERSION)

    def build(p):
        _say(quiet)("installing uv %s into %s" % (UV_VERSION, p))
        subprocess.run([sys.executable, "-m", "venv", p], check=True)
        subprocess.run(
            [venv_python(p), "-m", "pip", "--disable-pip-version-check", "--no-input", "install",
             "--quiet", "uv==" + UV_VERSION],
            check=True,
        )

    _locked_build(path, build, quiet)
    return os.path.join(path, "bin", "uv")


def uv_env(root=None):
    env = dict(os.environ)
    env.setdefault("UV_CACHE_DIR", os.path.join(root or cache_root(), "uv-cache"))
    # Only the pyenv/system interpreter we chose; never a download (no network but PyPI).
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env.pop("VIRTUAL_ENV", None)
    return env


def ensure_venv(s, quiet=False):
    """Create and fill the venv of series S unless a complete one exists; return its path."""
    lock, build = lock_paths(s)
    parse_lock(lock)  # a malformed lock is reported before anything is installed
    if build:
        parse_lock(build)
    path = venv_dir(s)
    if os.path.exists(os.path.join(path, ".complete")):
        return path
    interp = find_python(s["python"])
    if interp is None:
        raise LaunchError(
            "release %s (nova %s) needs Python %s: none under $PYENV_ROOT/versions/%s.* or "
            "~/.pyenv/versions/%s.*, nor python%s on PATH (install it, e.g. `pyenv install %s`)"
            % (s["id"], s["verified"], s["python"], s["python"], s["python"], s["python"], s["python"])
        )
    uv = ensure_uv(quiet=quiet)
    env = uv_env()

    def make(p):
        _say(quiet)("creating venv %s (nova %s, Python %s at %s)" % (p, s["verified"], s["python"], interp))
        subprocess.run([uv, "venv", "--quiet", "--no-config", "--python", interp, p], check=True, env=env)
        # uv's --compile-bytecode needs py_compile.PycInvalidationMode (Python >= 3.7); on 3.6
        # (Queens .. Train) the venv's own compileall does it after the install. Compiled
        # once here, the venv starts in seconds even where PYTHONDONTWRITEBYTECODE is set.
        old_python = tuple(int(x) for x in s["python"].split(".")[:2]) < (3, 7)
        cmd = [uv, "pip", "install", "--quiet", "--no-config", "--python", venv_python(p), "--no-deps"]
        cmd += [] if old_python else ["--compile-bytecode"]
        cmd += ["-r", lock]
        if build:
            cmd += ["--build-constraint", build]
        subprocess.run(cmd, check=True, env=env)
        if old_python:
            # Some packages ship files that do not compile on 3.6 (py2-only test data): -q and
            # no check; what failed is simply compiled (or not) at import time.
            subprocess.run([venv_python(p), "-m", "compileall", "-q", "-j", "0", p],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    return _locked_build(path, make, quiet)


# --- command line -----------------------------------------------------------------------------


def split_release(argv):
    """(release or None, the other arguments): --release is the launcher's, the rest the server's."""
    release, rest, i = None, [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--release":
            if i + 1 >= len(argv):
                raise LaunchError("--release needs a series (an id like 2025.1, a codename or a Nova version)")
            release = argv[i + 1]
            i += 2
            continue
        if a.startswith("--release="):
            release = a.split("=", 1)[1]
        else:
            rest.append(a)
        i += 1
    return release, rest


def main(argv):
    if sys.version_info[:2] < MIN_PYTHON:
        sys.exit(PREFIX + "the launcher needs Python >= %d.%d (tomllib)" % MIN_PYTHON)
    try:
        release, rest = split_release(argv)
        table = load_releases()
        if "--list-releases" in rest:
            # For scripts (ci-releases.sh): every series, oldest first, and whether it has a lock.
            for t in table:
                has_lock = os.path.isfile(os.path.join(HERE, t["lock"]))
                print(t["id"], t["codename"], t["verified"], t.get("max_microversion", "?"),
                      "locked" if has_lock else "no-lock")
            return 0
        s = find_series(table, release)
        if "--print-venv" in rest:
            print(venv_dir(s))
            return 0
        if "--print-series" in rest:
            # For scripts: the series the arguments select, as the table states it.
            print(s["id"], s["codename"], s["verified"], s.get("max_microversion", "?"))
            return 0
        path = ensure_venv(s)
    except LaunchError as exc:
        print(PREFIX + str(exc), file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(PREFIX + "installing release %s failed: %s" % (s["id"], exc), file=sys.stderr)
        return 1
    if "--install-only" in rest:
        return 0
    env = dict(os.environ)
    env["PYTHONPATH"] = HERE + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # Python warnings from eventlet/oslo deprecations are noise for a user.
    env.setdefault("PYTHONWARNINGS", "ignore")
    py = venv_python(path)
    os.execve(py, [py, "-m", "upstream_nova.serve"] + rest, env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
