#!/usr/bin/env python3
"""Give a cloud some history for the dry-run calibration to read: N servers (named
estimate-history-<i>), each built, cold-migrated three times (confirm, revert, confirm),
stopped and started, paused and unpaused, suspended and resumed. The servers are left in
place: their instance actions and migration records are the history (deleting a server
soft-deletes its migrations).

Usage: history.py CLOUDS_YAML CLOUD_NAME [SERVERS]   (stdlib only)

The servers go side by side (fine on `mockcloud serve --lifecycle timed`, whose steps are
timers). On a small real cloud that makes each migration slower, and the history says so:
HISTORY_SEQUENTIAL=1 makes them one at a time (docs/cli-reference.md "The time estimate").
HISTORY_POLL is the poll interval in seconds (default 0.05).
"""
import os
import json
import sys
import threading
import time
import urllib.error
import urllib.request

POLL = float(os.environ.get("HISTORY_POLL", "0.05"))
TIMEOUT = 120


def cloud_auth(path, name):
    """The auth block of NAME in a clouds.yaml as mockcloud writes it (flat, two-space indent)."""
    auth, inside, in_auth = {}, False, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("  ") and not line.startswith("    "):
            inside = line.strip() == f"{name}:"
            in_auth = False
        elif inside and line.strip() == "auth:":
            in_auth = True
        elif inside and in_auth and line.startswith("      "):
            k, _, v = line.strip().partition(": ")
            auth[k] = v
        elif inside and line.startswith("    ") and not line.startswith("      "):
            in_auth = False
    if not auth:
        sys.exit(f"no cloud {name} in {path}")
    return auth


def request(method, url, token=None, body=None, version="2.56"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json")
    req.add_header("OpenStack-API-Version", f"compute {version}")
    if token:
        req.add_header("X-Auth-Token", token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, dict(r.headers), (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {url}: HTTP {e.code}: {e.read()[:300]!r}")


def main():
    clouds, name = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    a = cloud_auth(clouds, name)
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": a["username"], "password": a["password"],
            "domain": {"name": a.get("user_domain_name", "Default")}}}},
        "scope": {"project": {"name": a["project_name"],
                              "domain": {"name": a.get("project_domain_name", "Default")}}}}}
    _, headers, tok = request("POST", a["auth_url"].rstrip("/") + "/auth/tokens", body=body)
    token = headers.get("X-Subject-Token") or headers.get("x-subject-token")
    compute = next(e["url"] for s in tok["token"]["catalog"] if s["type"] == "compute"
                   for e in s["endpoints"] if e["interface"] == "public").rstrip("/")
    _, _, flavors = request("GET", compute + "/flavors", token)
    flavor = flavors["flavors"][0]["id"]
    _, _, images = request("GET", compute + "/images", token, version="2.35")
    image = images["images"][0]["id"]

    def show(sid):
        return request("GET", f"{compute}/servers/{sid}", token)[2]["server"]

    def wait(sid, status):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            s = show(sid)
            if s["status"] == status and not s.get("OS-EXT-STS:task_state"):
                return
            if s["status"] == "ERROR":
                sys.exit(f"server {sid} went to ERROR")
            time.sleep(POLL)
        sys.exit(f"server {sid} never reached {status}")

    def act(sid, body):
        request("POST", f"{compute}/servers/{sid}/action", token, body)

    def one(i):
        _, _, s = request("POST", compute + "/servers", token, {"server": {
            "name": f"estimate-history-{i}", "imageRef": image, "flavorRef": flavor,
            "networks": "none"}})
        sid = s["server"]["id"]
        wait(sid, "ACTIVE")
        for finish in ("confirmResize", "revertResize", "confirmResize"):
            act(sid, {"migrate": None})
            wait(sid, "VERIFY_RESIZE")
            act(sid, {finish: None})
            # A confirm leaves VERIFY_RESIZE only when the compute host is done.
            wait(sid, "ACTIVE")
        for there, status, back in (("os-stop", "SHUTOFF", "os-start"),
                                    ("pause", "PAUSED", "unpause"),
                                    ("suspend", "SUSPENDED", "resume")):
            act(sid, {there: None})
            wait(sid, status)
            act(sid, {back: None})
            wait(sid, "ACTIVE")

    if os.environ.get("HISTORY_SEQUENTIAL"):
        for i in range(count):
            one(i)
    else:
        threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print(f"history: {count} servers built, 3 migrations, 3 power cycles each")


if __name__ == "__main__":
    main()
