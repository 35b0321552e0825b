#!/usr/bin/env python3
"""Start upstream Nova (from PyPI, pinned by requirements.lock) on loopback.

    python3 upstream-nova/launch.py --hosts 3 --clouds-yaml clouds.yaml [--bind 127.0.0.1:0]

On first use it creates a cache venv keyed by the lock file's hash (and the
Python version) under $NOVA_CONFORM_CACHE or ~/.cache/nova-conform and installs
the lock into it with `pip install --no-deps -r requirements.lock`; then it
replaces itself with the server (upstream_nova.serve) running in that venv.
The server prints the identity and compute URLs, the clouds.yaml path and
READY, and stops cleanly on SIGINT/SIGTERM.

`--install-only` prepares the venv and exits; `--print-venv` prints its path.
Runs with the standard library only (it is what creates the venv).
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK = os.path.join(HERE, "requirements.lock")
MIN_PYTHON = (3, 11)  # nova 34.0.0 requires >= 3.11


def cache_root():
    base = os.environ.get("NOVA_CONFORM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nova-conform"
    )
    return base


def venv_dir():
    h = hashlib.sha256()
    with open(LOCK, "rb") as f:
        h.update(f.read())
    h.update(("%d.%d" % sys.version_info[:2]).encode())
    return os.path.join(cache_root(), "upstream-nova-venv-" + h.hexdigest()[:16])


def venv_python(path):
    return os.path.join(path, "bin", "python")


def ensure_venv(quiet=False):
    """Create and fill the venv unless a complete one exists; return its path.

    Built in a temporary directory and renamed into place, so an interrupted
    install never leaves a half-filled venv that looks ready."""
    path = venv_dir()
    if os.path.exists(os.path.join(path, ".complete")):
        return path
    os.makedirs(cache_root(), exist_ok=True)
    # Two launchers started at once (e.g. parallel CI stages) build it once.
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(path, ".complete")):
            return path
        return _build(path, quiet)


def _build(path, quiet):
    tmp = "%s.tmp-%d" % (path, os.getpid())
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.monotonic()
    say = (lambda *_: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    say("upstream-nova: creating venv %s" % path)
    subprocess.run([sys.executable, "-m", "venv", tmp], check=True)
    pip = [venv_python(tmp), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        pip + ["install", "--quiet", "--no-deps", "-r", LOCK],
        check=True,
    )
    # A venv is not relocatable (scripts embed their path), so the rename
    # must happen before anything runs from it: only `python -m` is used.
    if os.path.exists(path):
        shutil.rmtree(path)
    os.rename(tmp, path)
    # Entry-point scripts embed the tmp path; fix the shebangs of those we may
    # call (none today, but `pip` inside the venv should keep working).
    bindir = os.path.join(path, "bin")
    for name in os.listdir(bindir):
        fp = os.path.join(bindir, name)
        if os.path.isfile(fp) and not os.path.islink(fp):
            try:
                with open(fp, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            if tmp.encode() in data:
                with open(fp, "wb") as f:
                    f.write(data.replace(tmp.encode(), path.encode()))
    with open(os.path.join(path, ".complete"), "w") as f:
        f.write("installed in %.1fs\n" % (time.monotonic() - t0))
    say("upstream-nova: installed in %.1fs" % (time.monotonic() - t0))
    return path


def main(argv):
    if sys.version_info[:2] < MIN_PYTHON:
        sys.exit("upstream-nova: Python >= %d.%d is required (nova 34.0.0)" % MIN_PYTHON)
    if "--print-venv" in argv:
        print(venv_dir())
        return 0
    try:
        path = ensure_venv()
    except subprocess.CalledProcessError as exc:
        sys.exit("upstream-nova: installing the venv failed: %s" % exc)
    if "--install-only" in argv:
        return 0
    env = dict(os.environ)
    env["PYTHONPATH"] = HERE + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # Python warnings from eventlet/oslo deprecations are noise for a user.
    env.setdefault("PYTHONWARNINGS", "ignore")
    py = venv_python(path)
    os.execve(py, [py, "-m", "upstream_nova.serve"] + argv, env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
