#!/usr/bin/env python3
"""Smoke check of a running upstream Nova: the launcher's contract, end to end.

    upstream-nova/ci-stage.sh -- sh -c '"$UPSTREAM_NOVA_PYTHON" upstream-nova/smoke.py'

Checks (each printed, then "N passed, N failed"): every cloud in clouds.yaml
authenticates; discovery reports the release's max microversion (UPSTREAM_NOVA_MAX_MICROVERSION,
set by ci-stage.sh from fixtures/releases.toml; default 2.104); a server boots; a member may not
migrate (403), a manager may not name a host (403); an admin migrate with a
host at 2.56 is accepted (202), reaches VERIFY_RESIZE on that host with a
`finished` migration record; confirmResize answers 204 and the server is
ACTIVE on the target; the server is deleted. Exit status 1 on any failure.
"""

import os
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import probe  # noqa: E402  (its Session: Keystone login + one keep-alive connection)

# The max microversion of each Nova major this launcher runs
# (nova/api/openstack/api_version_request.py _MAX_API_VERSION at the verified tag).
def installed_major():
    """The Nova major of the venv smoke.py runs in (ci-stage.sh: UPSTREAM_NOVA_PYTHON)."""
    try:
        from upstream_nova import version
    except ImportError:
        return 34
    return version.MAJOR


def vtuple(v):
    return tuple(int(x) for x in v.split("."))


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))
        return ok


def main():
    path = os.environ.get("OS_CLIENT_CONFIG_FILE") or (sys.argv[1] if len(sys.argv) > 1 else None)
    if not path:
        sys.exit("usage: smoke.py CLOUDS_YAML (or set OS_CLIENT_CONFIG_FILE)")
    with open(path) as f:
        clouds = yaml.safe_load(f)["clouds"]
    c = Checks()
    sessions = {}
    for role in probe.ROLES:
        try:
            sessions[role] = probe.Session(role, clouds["upstream-" + role])
            c.check("auth %s" % role, True)
        except (SystemExit, KeyError, OSError) as exc:
            c.check("auth %s" % role, False, exc)
    admin = sessions.get("admin")
    if admin is None:
        print("%d passed, %d failed" % (c.passed, c.failed))
        return 1
    major = installed_major()
    status, _, root = admin.call("GET", "/", token=False)
    # ci-stage.sh sets it from fixtures/releases.toml (the one source of each release's max).
    want = os.environ.get("UPSTREAM_NOVA_MAX_MICROVERSION") or "2.104"
    c.check("discovery max %s (Nova %d)" % (want, major),
            status == 200 and root["versions"][-1]["version"] == want, root)
    top = root["versions"][-1]["version"] if status == 200 else "2.1"

    image = admin.api("GET", "/images")["images"][0]["id"]
    server = {"name": "smoke", "flavorRef": "1", "imageRef": image, "networks": "none"}
    if vtuple(top) >= (2, 74):
        server["host"] = "compute1"
        boot_version = "2.74"
    else:
        # Before 2.74 (Nova 20 and older) an admin names the host with the zone:host form.
        server["availability_zone"] = "nova:compute1"
        boot_version = "2.37"
    sid = admin.api("POST", "/servers", {"server": server}, version=boot_version)["server"]["id"]
    try:
        t0 = time.monotonic()
        srv = wait(admin, sid, lambda s: s["status"] != "BUILD")
        c.check("boot ACTIVE on compute1 (%.2fs)" % (time.monotonic() - t0),
                srv["status"] == "ACTIVE" and srv["OS-EXT-SRV-ATTR:host"] == "compute1", srv["status"])
        action = "/servers/%s/action" % sid
        st, _, body = sessions["member"].call("POST", action, {"migrate": None}, "2.56")
        c.check("member migrate -> 403", st == 403, (st, body))
        st, _, body = sessions["manager"].call("POST", action, {"migrate": {"host": "compute2"}}, "2.56")
        c.check("manager migrate with host -> 403", st == 403, (st, body))
        t0 = time.monotonic()
        st, hdrs, body = admin.call("POST", action, {"migrate": {"host": "compute2"}}, "2.56")
        c.check("admin migrate host=compute2 @2.56 -> 202", st == 202, (st, body))
        h = dict((k.lower(), v) for k, v in hdrs)
        c.check("version headers echoed", h.get("openstack-api-version") == "compute 2.56"
                and h.get("x-openstack-nova-api-version") == "2.56", h)
        # The API sets task_state resize_prep (status RESIZE) before its 202.
        srv = wait(admin, sid, lambda s: s["status"] != "RESIZE")
        c.check("VERIFY_RESIZE on compute2 (%.2fs)" % (time.monotonic() - t0),
                srv["status"] == "VERIFY_RESIZE" and srv["OS-EXT-SRV-ATTR:host"] == "compute2",
                (srv["status"], srv["OS-EXT-SRV-ATTR:host"]))
        # 2.80 adds the migration's user and project; older releases stop before it.
        mig_version = "2.80" if vtuple(top) >= (2, 80) else top
        migs = admin.api("GET", "/os-migrations?instance_uuid=" + sid, version=mig_version)["migrations"]
        c.check("migration record finished compute1 -> compute2",
                len(migs) == 1 and migs[0]["status"] == "finished" and migs[0]["source_compute"] == "compute1"
                and migs[0]["dest_compute"] == "compute2" and migs[0]["migration_type"] == "migration", migs)
        st, _, body = admin.call("POST", action, {"confirmResize": None}, "2.56")
        c.check("confirmResize -> 204", st == 204, (st, body))
        srv = wait(admin, sid, lambda s: s["status"] != "VERIFY_RESIZE" and s["OS-EXT-STS:task_state"] is None)
        c.check("ACTIVE on compute2 after confirm", srv["status"] == "ACTIVE" and srv["OS-EXT-SRV-ATTR:host"] == "compute2",
                (srv["status"], srv["OS-EXT-SRV-ATTR:host"]))
    finally:
        st, _, _ = admin.call("DELETE", "/servers/" + sid, version="2.1")
        c.check("server deleted", st == 204, st)
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


def wait(sess, sid, done, timeout=30.0):
    end = time.monotonic() + timeout
    while True:
        srv = sess.api("GET", "/servers/" + sid, version="2.1")["server"]
        if done(srv) or time.monotonic() > end:
            return srv
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
