"""Run upstream Nova on loopback until SIGINT/SIGTERM (runs inside the venv).

    python -m upstream_nova.serve --hosts 3 --clouds-yaml PATH [--bind 127.0.0.1:0]

Prints `identity: URL`, `compute: URL`, `clouds-yaml: PATH` and then `READY`
on stdout; everything else goes to the log file.
"""

# Eventlet must patch the standard library before anything else imports it:
# nova's API and services run in its default eventlet mode.
from upstream_nova import compat  # noqa: E402,I100

compat.monkey_patch()

import argparse  # noqa: E402
import ipaddress  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402

import eventlet  # noqa: E402
import eventlet.wsgi  # noqa: E402

from upstream_nova import clouds_yaml, identities, keystone  # noqa: E402

# How long stop() may take before the process exits anyway.
STOP_GRACE_SECONDS = 15


def _parse_bind(text):
    host, sep, port = text.rpartition(":")
    if not sep:
        raise argparse.ArgumentTypeError("expected HOST:PORT, e.g. 127.0.0.1:0")
    host = host.strip("[]")
    try:
        addr = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    # A conformance target with fake hosts and generated passwords has no
    # business on a routable address.
    if not addr.is_loopback:
        raise argparse.ArgumentTypeError("only loopback addresses are allowed: %s" % host)
    try:
        port = int(port)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("bad port %r" % port) from exc
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("bad port %d" % port)
    return str(addr), port


def parse_args(argv):
    p = argparse.ArgumentParser(prog="upstream-nova", description=__doc__.splitlines()[0])
    p.add_argument("--hosts", type=int, default=3, help="compute hosts compute1..N (default 3)")
    p.add_argument(
        "--full-host",
        action="append",
        default=[],
        metavar="NAME",
        help="an extra compute host with no capacity for any flavor (repeatable)",
    )
    p.add_argument(
        "--disabled-host",
        action="append",
        default=[],
        metavar="NAME",
        help="an extra compute host whose nova-compute service is disabled (repeatable)",
    )
    p.add_argument(
        "--same-host-migrate",
        action="store_true",
        help="hosts report COMPUTE_SAME_HOST_COLD_MIGRATE (a migrate without host may stay put)",
    )
    p.add_argument("--clouds-yaml", required=True, help="where to write clouds.yaml (mode 0600)")
    p.add_argument("--bind", type=_parse_bind, default=("127.0.0.1", 0), help="HOST:PORT, loopback only")
    p.add_argument("--log-file", help="Nova's log (default: a file in the temp dir, printed at start)")
    p.add_argument("--debug", action="store_true", help="log at DEBUG (large)")
    args = p.parse_args(argv)
    if not 1 <= args.hosts <= 50:
        p.error("--hosts must be between 1 and 50")
    regular = {"compute%d" % i for i in range(1, args.hosts + 1)}
    extra = args.full_host + args.disabled_host
    for name in extra:
        # Nova's own host name pattern (the migrate schema's fqdn format).
        if not re.fullmatch(r"[a-zA-Z0-9-._]{1,255}", name):
            p.error("--full-host/--disabled-host %r is not a valid host name" % name)
    if len(set(extra)) != len(extra) or regular & set(extra):
        p.error(
            "--full-host/--disabled-host names must be distinct and differ from compute1..compute%d" % args.hosts
        )
    return args


def _redirect_logging(path, debug):
    """Send Nova's logs to a file instead of the test fixture's in-memory buffer,
    which would grow without bound in a long-running process."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if type(h).__name__ != "NullHandler":
            root.removeHandler(h)
    fh = logging.FileHandler(path)
    fh.setLevel(logging.DEBUG if debug else logging.INFO)
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
    root.addHandler(fh)


class _Dispatcher:
    """One listener: /identity -> Keystone stand-in, everything else -> Nova."""

    def __init__(self, nova_app, identity_app):
        self.nova_app = nova_app
        self.identity_app = identity_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/identity" or path.startswith("/identity/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/identity"
            environ["PATH_INFO"] = path[len("/identity"):]
            return self.identity_app(environ, start_response)
        return self.nova_app(environ, start_response)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.monotonic()
    log_file = args.log_file or os.path.join(
        tempfile.gettempdir(), "upstream-nova-%d.log" % os.getpid()
    )

    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    # Bind first: the URLs go into the catalog and the auth_token config.
    sock = eventlet.listen(args.bind)
    host, port = sock.getsockname()[:2]
    fmt_host = "[%s]" % host if ":" in host else host
    base_url = "http://%s:%d" % (fmt_host, port)

    # Imported late: importing the functional-test helpers is what takes
    # most of the start time, and --help should not pay for it.
    from upstream_nova import cloud

    nova = cloud.UpstreamNova.configure(
        host_names=["compute%d" % i for i in range(1, args.hosts + 1)],
        full_hosts=args.full_host,
        disabled_hosts=args.disabled_host,
        same_host=args.same_host_migrate,
        www_authenticate_uri=base_url + "/identity",
    )
    try:
        nova.setUp()
    except BaseException:  # noqa: BLE001 - nova's driver loader calls sys.exit(1)
        # Until _redirect_logging, Nova's log is in the test fixture's memory.
        with open(log_file, "a") as f:
            stdlog = getattr(nova, "stdlog", None)
            if stdlog is not None:
                f.write(stdlog.logger.output)
            traceback.print_exc(file=f)
        sys.stderr.write("upstream-nova: Nova failed to start; its log: %s\n" % log_file)
        nova.stop()
        return 1
    _redirect_logging(log_file, args.debug)

    projects, users = identities.seed()
    ks = keystone.Keystone(base_url, projects, users, nova.register_token)
    app = _Dispatcher(nova.app, ks)

    # We turn header capitalisation off on purpose (see below).
    warnings.filterwarnings("ignore", message="capitalize_response_headers")
    http_log = logging.getLogger("upstream_nova.http")
    server = eventlet.spawn(
        eventlet.wsgi.server,
        sock,
        app,
        log=http_log,
        # Nova's header names as Nova writes them (e.g. OpenStack-API-Version).
        capitalize_response_headers=False,
        # No tracebacks in 500 bodies: Nova's FaultWrapper answers those.
        debug=False,
        keepalive=True,
    )

    clouds_yaml.write(args.clouds_yaml, ks.identity_url + "/v3", users)
    print("identity: %s/v3" % ks.identity_url)
    print("compute: %s/v2.1" % base_url)
    print("clouds-yaml: %s" % os.path.abspath(args.clouds_yaml))
    print("log: %s" % log_file)
    print("started in %.1fs" % (time.monotonic() - t0))
    print("READY", flush=True)

    while stop["signal"] is None and not server.dead:
        eventlet.sleep(0.2)

    # Past the grace period, exit anyway: a wedged service must not hang CI.
    signal.signal(signal.SIGALRM, lambda *_: os._exit(0 if stop["signal"] else 1))
    signal.alarm(STOP_GRACE_SECONDS)
    print("stopping", flush=True)
    server.kill()
    # The test fixtures' cleanups restore the logging handlers they found,
    # which print to stdout: keep stdout for our own status lines by pointing
    # file descriptor 1 at the log while they run.
    sys.stdout.flush()
    saved_fd = os.dup(1)
    with open(log_file, "ab") as log_stream:
        os.dup2(log_stream.fileno(), 1)
        try:
            nova.stop()
        finally:
            sys.stdout.flush()
            os.dup2(saved_fd, 1)
            os.close(saved_fd)
    print("stopped", flush=True)
    return 0 if stop["signal"] is not None else 1


if __name__ == "__main__":
    sys.exit(main())
