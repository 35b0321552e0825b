#!/usr/bin/env python3
"""Record what upstream Nova actually answers to the migrate action.

    "$(python3 upstream-nova/launch.py --print-venv)/bin/python" upstream-nova/probe.py \\
        --clouds-yaml clouds.yaml --out upstream-nova/observed/nova-34.0.0.json

Needs a launcher started with `--hosts 3 --full-host compute-full` (compute1
is every server's source, compute2 the valid target, compute3 is disabled for
the disabled-host cases, compute-full has no capacity). Plain HTTP over one
keep-alive connection per user (http.client, so repeated response headers
such as the two Vary headers are kept as sent); PyYAML only reads clouds.yaml.

Everything that varies between runs is redacted, so two runs against fresh
launchers produce the same file: uuids (the case's server -> <server>, the
nonexistent id -> <missing>, others -> <uuid>), request ids
(req-<uuid>), Keystone ids (<user:NAME>, <project:NAME>), the base URL
(<base>), timestamps (<timestamp>), migration ids (<id>), hostId, instance
names, Date headers, and Content-Length where the body embeds the base URL.
Two runs against fresh launchers give identical files except for the
concurrency case, which is racy by nature.
"""

import argparse
import http.client
import json
import re
import sys
import time
import urllib.parse
import uuid

import yaml

def _nova_version():
    """The installed Nova's version when run with the venv's python (ci-stage.sh's
    UPSTREAM_NOVA_PYTHON); 34.0.0 (the default lock) otherwise."""
    try:
        sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
        from upstream_nova import version
    except ImportError:
        return "34.0.0"
    return version.VERSION


NOVA_VERSION = _nova_version()
SOURCE, OTHER, DISABLED, FULL = "compute1", "compute2", "compute3", "compute-full"
UNKNOWN = "unknown-host"
MISSING_ID = str(uuid.UUID(int=0x0DEAD))  # never a server
ROLES = ("admin", "manager", "member", "reader", "other")
ASYNC_TIMEOUT = 30.0

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


class Http:
    """One keep-alive HTTP/1.1 connection; returns (status, header list, body bytes)."""

    def __init__(self, base_url):
        u = urllib.parse.urlsplit(base_url)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def request(self, method, path, headers=None, body=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                hdrs = resp.getheaders()
                if resp.will_close:
                    self.conn.close()
                    self.conn = None
                return resp.status, hdrs, data
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


class Session:
    """A user's Keystone token and compute endpoint."""

    def __init__(self, name, cloud):
        auth = cloud["auth"]
        self.name = name
        self.auth_url = auth["auth_url"].rstrip("/")
        u = urllib.parse.urlsplit(self.auth_url)
        self.base_url = "%s://%s" % (u.scheme, u.netloc)
        self.http = Http(self.base_url)
        req = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": auth["username"],
                            "domain": {"name": auth["user_domain_name"]},
                            "password": auth["password"],
                        }
                    },
                },
                "scope": {
                    "project": {
                        "name": auth["project_name"],
                        "domain": {"name": auth["project_domain_name"]},
                    }
                },
            }
        }
        status, hdrs, data = self.http.request(
            "POST",
            urllib.parse.urlsplit(self.auth_url).path + "/auth/tokens",
            {"Content-Type": "application/json"},
            json.dumps(req),
        )
        if status != 201:
            raise SystemExit("probe: authentication as %s failed: HTTP %d" % (name, status))
        self.token = dict((k.lower(), v) for k, v in hdrs)["x-subject-token"]
        body = json.loads(data)["token"]
        self.user_id = body["user"]["id"]
        self.project_id = body["project"]["id"]
        self.project_name = body["project"]["name"]
        compute = [s for s in body["catalog"] if s["type"] == "compute"][0]
        url = [e["url"] for e in compute["endpoints"] if e["interface"] == "public"][0]
        self.compute_path = urllib.parse.urlsplit(url).path.rstrip("/")

    COMPUTE_RELATIVE = ("/servers", "/os-", "/images", "/flavors")

    def resolve(self, path):
        """Compute resources are given relative to the catalog's compute URL;
        anything else ("/", "/v2.1", ...) is an absolute path."""
        return self.compute_path + path if path.startswith(self.COMPUTE_RELATIVE) else path

    def call(self, method, path, body=None, version=None, headers=None, raw_body=None, token=True):
        """`version`: None (no header), a string for OpenStack-API-Version, or
        a dict of exact version headers. Returns (status, headers, parsed body)."""
        h = {"Accept": "application/json"}
        if token:
            h["X-Auth-Token"] = self.token
        if isinstance(version, dict):
            h.update(version)
        elif version is not None:
            h["OpenStack-API-Version"] = "compute " + version
        data = raw_body
        if body is not None:
            data = json.dumps(body)
        if data is not None:
            h["Content-Type"] = "application/json"
        for k, v in (headers or {}).items():
            if v is None:
                h.pop(k, None)
            else:
                h[k] = v
        status, hdrs, raw = self.http.request(method, self.resolve(path), h, data)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return status, hdrs, parsed

    def api(self, method, path, body=None, version="2.1", ok=(200, 201, 202, 204)):
        status, _, parsed = self.call(method, path, body, version)
        if status not in ok:
            raise RuntimeError("%s %s as %s -> %d %s" % (method, path, self.name, status, parsed))
        return parsed


class Redactor:
    def __init__(self, sessions):
        self.base = next(iter(sessions.values())).base_url
        self.names = {}
        for s in sessions.values():
            self.names[s.user_id] = "<user:%s>" % s.name
            self.names[s.project_id] = "<project:%s>" % s.project_name
        self.server = None

    def text(self, s):
        s = s.replace(self.base, "<base>")
        for k, v in self.names.items():
            s = s.replace(k, v)

        def sub(m):
            u = m.group(0)
            if u == self.server:
                return "<server>"
            if u == MISSING_ID:
                return "<missing>"
            return "<uuid>"

        s = re.sub(r"req-" + UUID_RE.pattern, "req-<uuid>", s)
        s = UUID_RE.sub(sub, s)
        if TS_RE.match(s):
            return "<timestamp>"
        return s

    # Values derived from per-run ids or global counters.
    BY_KEY = {"hostId": "<hostId>", "OS-EXT-SRV-ATTR:instance_name": "<instance-name>"}

    def value(self, v, key=None):
        if key in self.BY_KEY and v:
            return self.BY_KEY[key]
        if isinstance(v, dict):
            return {k: self.value(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, str):
            return self.text(v)
        if key == "id" and isinstance(v, int) and not isinstance(v, bool):
            return "<id>"
        return v

    def headers(self, hdrs, varying_length=False):
        out = []
        for k, v in hdrs:
            if k.lower() == "date":
                v = "<date>"
            elif k.lower() == "content-length":
                # The body embeds the base URL, whose port length varies.
                if varying_length:
                    v = "<varies>"
            else:
                v = self.text(v)
            out.append([k, v])
        return out


class Probe:
    def __init__(self, sessions):
        self.s = sessions
        self.admin = sessions["admin"]
        self.red = Redactor(sessions)
        self.obs = []
        self.pool = []
        self.image = self.admin.api("GET", "/images")["images"][0]["id"]
        _, _, root = self.admin.call("GET", "/", token=False)
        # The release's max microversion: the probe's own helper requests (boot, listings
        # for the outcome) use the newest version they need or this, whichever is lower
        # (Nova 17-20 stop at 2.60-2.79). The probed requests keep their versions.
        self.top = _vtuple(root["versions"][-1]["version"])
        self.services = {
            svc["host"]: svc["id"]
            for svc in self.admin.api("GET", "/os-services", version="2.53")["services"]
            if svc["binary"] == "nova-compute"
        }
        for h in (SOURCE, OTHER, DISABLED, FULL):
            if h not in self.services:
                raise SystemExit("probe: host %s missing: start the launcher with "
                                 "--hosts 3 --full-host %s" % (h, FULL))
        self.timings = {}

    def aux(self, version):
        """`version`, or the release's max microversion where that is older."""
        return version if _vtuple(version) <= self.top else "%d.%d" % self.top

    # -- servers -----------------------------------------------------------
    def _create(self):
        body = {
            "server": {
                "name": "probe",
                "flavorRef": "1",
                "imageRef": self.image,
                "networks": "none",
            }
        }
        if self.top >= (2, 74):
            body["server"]["host"] = SOURCE
            version = "2.74"
        else:
            # Before 2.74 (Nova 20 and older) an admin names the host as zone:host.
            body["server"]["availability_zone"] = "nova:" + SOURCE
            version = "2.37"
        return self.admin.api("POST", "/servers", body, version=version)["server"]["id"]

    def wait(self, sid, done, timeout=ASYNC_TIMEOUT):
        end = time.monotonic() + timeout
        while True:
            srv = self.admin.api("GET", "/servers/" + sid, version="2.1")["server"]
            if done(srv):
                return srv
            if time.monotonic() > end:
                raise RuntimeError("server %s stuck: %s/%s" % (sid, srv["status"], srv.get("OS-EXT-STS:task_state")))
            time.sleep(0.1)

    def server(self, state="ACTIVE"):
        """A fresh server on SOURCE in `state` (ACTIVE, SHUTOFF, PAUSED,
        SUSPENDED, VERIFY_RESIZE, LOCKED, LOCKED_BY_OWNER)."""
        if not self.pool:
            self.pool = [self._create() for _ in range(8)]
        sid = self.pool.pop(0)
        srv = self.wait(sid, lambda s: s["status"] != "BUILD")
        if srv["status"] != "ACTIVE":
            raise RuntimeError("server build failed: %s" % srv["status"])
        action = {"SHUTOFF": "os-stop", "PAUSED": "pause", "SUSPENDED": "suspend"}.get(state)
        if action:
            self.admin.api("POST", "/servers/%s/action" % sid, {action: None})
            self.wait(sid, lambda s: s["status"] == state and s["OS-EXT-STS:task_state"] is None)
        elif state == "VERIFY_RESIZE":
            self.admin.api("POST", "/servers/%s/action" % sid, {"migrate": {"host": OTHER}}, version="2.56")
            self.wait(sid, lambda s: s["status"] == "VERIFY_RESIZE")
        elif state == "LOCKED":
            self.admin.api("POST", "/servers/%s/action" % sid, {"lock": None})
        elif state == "LOCKED_BY_OWNER":
            self.s["member"].api("POST", "/servers/%s/action" % sid, {"lock": None})
        return sid

    def delete(self, sid):
        self.admin.api("DELETE", "/servers/" + sid, ok=(204, 404))

    # -- recording ---------------------------------------------------------
    def outcome(self, sid):
        """The end state after an accepted (202) migrate: server, migration
        record, instance action."""
        t0 = time.monotonic()
        srv = self.wait(
            sid,
            lambda s: s["OS-EXT-STS:task_state"] is None and s["status"] not in ("RESIZE", "MIGRATING"),
        )
        elapsed = time.monotonic() - t0
        migs = self.admin.api("GET", "/os-migrations?instance_uuid=" + sid, version=self.aux("2.80"))["migrations"]
        actions = self.admin.api("GET", "/servers/%s/os-instance-actions" % sid, version=self.aux("2.84"))
        mig_action = [a for a in actions["instanceActions"] if a["action"] == "migrate"]
        detail = None
        if mig_action:
            d = self.admin.api(
                "GET", "/servers/%s/os-instance-actions/%s" % (sid, mig_action[0]["request_id"]),
                version=self.aux("2.84")
            )["instanceAction"]
            detail = {
                "action": d["action"],
                "message": d["message"],
                "events": [
                    {
                        "event": e["event"],
                        "result": e["result"],
                        "details": e.get("details"),
                        "has_traceback": bool(e.get("traceback")),
                    }
                    # Sorted by name: their listed order follows start times.
                    for e in sorted(d.get("events", []), key=lambda e: e["event"])
                ],
            }
        return {
            "server": {
                "status": srv["status"],
                "host": srv["OS-EXT-SRV-ATTR:host"],
                "vm_state": srv["OS-EXT-STS:vm_state"],
                "task_state": srv["OS-EXT-STS:task_state"],
                "power_state": srv["OS-EXT-STS:power_state"],
                "fault": srv.get("fault"),
            },
            "migrations": [self.red.value(m) for m in migs],
            "instance_action": detail,
        }, elapsed

    def record(self, case_id, who, method, path, body=None, version=None, raw_body=None,
               headers=None, token=True, sid=None, follow=True, note=None):
        sess = self.s[who]
        self.red.server = sid
        status, hdrs, parsed = sess.call(method, path, body, version, headers, raw_body, token)
        sent = {}
        if isinstance(version, dict):
            sent.update(version)
        elif version is not None:
            sent["OpenStack-API-Version"] = "compute " + version
        if headers:
            sent.update(headers)
        entry = {
            "id": case_id,
            "as": who,
            "request": {
                "method": method,
                "path": self.red.text(sess.resolve(path)),
                "headers": sent,
                "body": body if raw_body is None else raw_body,
            },
            "response": {
                "status": status,
                "headers": self.red.headers(hdrs, varying_length=self.red.base in json.dumps(parsed)),
                "body": self.red.value(parsed),
            },
        }
        ids = [v for k, v in hdrs if k.lower() in ("x-openstack-request-id", "x-compute-request-id")]
        if ids:
            # Redaction hides the values; keep whether the two headers agree.
            entry["response"]["request_ids_equal"] = len(set(ids)) == 1 and len(ids) == 2
        if note:
            entry["note"] = note
        if follow and status == 202 and sid and "/action" in path:
            entry["outcome"], elapsed = self.outcome(sid)
            self._redact_scheduler_choice(entry["outcome"], hdrs, body)
            self.timings.setdefault("async_seconds", []).append(round(elapsed, 3))
        self.obs.append(entry)
        return status, parsed

    @staticmethod
    def _redact_scheduler_choice(outcome, hdrs, body):
        """Where no host was requested (or the body was not read, below
        2.56), which of the two eligible hosts the scheduler picks depends on
        the weighers and the servers left from earlier cases: record that it
        moved to a scheduler-chosen host, not which one."""
        effective = dict((k.lower(), v) for k, v in hdrs).get("x-openstack-nova-api-version", "2.1")
        major, minor = (int(x) for x in effective.split("."))
        requested = None
        if (major, minor) >= (2, 56) and isinstance(body, dict) and isinstance(body.get("migrate"), dict):
            requested = body["migrate"].get("host")
        if requested:
            return
        choice = "<scheduler-choice>"
        srv = outcome["server"]
        if srv.get("host") in (OTHER, DISABLED):
            srv["host"] = choice
        for m in outcome.get("migrations", []):
            for k in ("dest_compute", "dest_node"):
                if m.get(k) in (OTHER, DISABLED):
                    m[k] = choice

    # -- groups ------------------------------------------------------------
    def discovery(self):
        a = "admin"
        self.record("discovery/GET /", a, "GET", "/", token=False)
        self.record("discovery/GET /v2.1", a, "GET", "/v2.1", token=False)
        self.record("discovery/GET /v2.1/", a, "GET", "/v2.1/", token=False)
        self.record("auth/no-token", a, "GET", "/servers", token=False)
        self.record("auth/bad-token", a, "GET", "/servers", headers={"X-Auth-Token": "not-a-token"}, token=False)
        self.record("http/404-path", a, "GET", "/v2.1/no-such-resource")
        self.record("http/404-path-no-token", a, "GET", "/v2.1/no-such-resource", token=False)
        self.record("http/post-os-migrations", a, "POST", "/os-migrations", {"migration": {}}, version="2.80")
        self.record("http/delete-servers-collection", a, "DELETE", "/servers", version="2.80")
        # Each of these may be accepted (202), so each gets a fresh server.
        cases = (
            ("auth/no-token-action", dict(body={"migrate": None}, token=False)),
            ("http/404-server-subpath", dict(method="GET", path="/servers/%s/no-such")),
            ("http/GET-action", dict(method="GET")),
            ("http/PUT-action", dict(method="PUT", body={"migrate": None})),
            ("http/DELETE-action", dict(method="DELETE")),
            ("http/PATCH-server", dict(method="PATCH", path="/servers/%s", body={"server": {}})),
            ("http/content-type-text-plain@2.1", dict(raw_body='{"migrate": null}',
                                                      headers={"Content-Type": "text/plain"})),
            ("http/content-type-xml@2.1", dict(raw_body='{"migrate": null}',
                                               headers={"Content-Type": "application/xml"})),
            ("http/content-type-xml@2.56", dict(raw_body='{"migrate": {"host": "%s"}}' % OTHER, version="2.56",
                                                headers={"Content-Type": "application/xml"})),
            ("http/content-type-json-charset@2.56", dict(raw_body='{"migrate": {"host": "%s"}}' % OTHER,
                                                         version="2.56",
                                                         headers={"Content-Type": "application/json; charset=UTF-8"})),
            ("http/no-content-type@2.56", dict(raw_body='{"migrate": {"host": "%s"}}' % OTHER, version="2.56",
                                               headers={"Content-Type": None})),
        )
        for cid, kw in cases:
            sid = self.server()
            kw = dict(kw)
            method = kw.pop("method", "POST")
            path = kw.pop("path", "/servers/%s/action") % sid
            self.record(cid, a, method, path, sid=sid, **kw)
            self.delete(sid)
        for vid, raw in (
            ("not-json", "{not json"),
            ("two-keys", '{"migrate": null, "confirmResize": null}'),
            ("array", "[]"),
            ("string", '"migrate"'),
            ("empty-body", ""),
        ):
            sid = self.server()
            for v in ("2.1", "2.56"):
                self.record("body/%s@%s" % (vid, v), a, "POST", "/servers/%s/action" % sid,
                            raw_body=raw, version=v, sid=sid, follow=False)
            self.delete(sid)
        sid = self.server()
        self.record("body/unknown-action@2.56", a, "POST", "/servers/%s/action" % sid, {"foo": None},
                    version="2.56", sid=sid)
        self.record("body/unknown-action-with-migrate@2.56", a, "POST", "/servers/%s/action" % sid,
                    {"fooBar": {"host": OTHER}}, version="2.56", sid=sid)
        self.delete(sid)

    VERSIONS = (
        ("none", None),
        ("2.1", "2.1"),
        ("2.55", "2.55"),
        ("2.56", "2.56"),
        ("2.59", "2.59"),
        ("2.80", "2.80"),
        ("2.104", "2.104"),
        ("latest", "latest"),
        ("legacy-2.56", {"X-OpenStack-Nova-API-Version": "2.56"}),
        ("legacy-2.55", {"X-OpenStack-Nova-API-Version": "2.55"}),
        ("both-2.1-and-legacy-2.56", {"OpenStack-API-Version": "compute 2.1", "X-OpenStack-Nova-API-Version": "2.56"}),
        ("other-service-header", {"OpenStack-API-Version": "volume 3.0"}),
        ("2.105", "2.105"),
        ("2.200", "2.200"),
        ("2.0", "2.0"),
        ("2.x", "2.x"),
        ("2.056", "2.056"),
    )

    BODIES = (
        ("migrate-null", {"migrate": None}),
        ("empty-object", {}),
        ("migrate-empty", {"migrate": {}}),
        ("migrate-string", {"migrate": "x"}),
        ("host-null", {"migrate": {"host": None}}),
        ("host-other", {"migrate": {"host": OTHER}}),
        ("host-own", {"migrate": {"host": SOURCE}}),
        ("host-unknown", {"migrate": {"host": UNKNOWN}}),
        ("host-bad-chars", {"migrate": {"host": "bad host!"}}),
        ("host-empty", {"migrate": {"host": ""}}),
        ("host-255", {"migrate": {"host": "a" * 255}}),
        ("host-256", {"migrate": {"host": "a" * 256}}),
        ("host-int", {"migrate": {"host": 123}}),
        ("host-disabled", {"migrate": {"host": DISABLED}}),
        ("host-full", {"migrate": {"host": FULL}}),
        ("host-other-force-true", {"migrate": {"host": OTHER, "force": True}}),
        ("host-other-force-false", {"migrate": {"host": OTHER, "force": False}}),
        ("host-other-force-null", {"migrate": {"host": OTHER, "force": None}}),
        ("host-other-force-yes", {"migrate": {"host": OTHER, "force": "yes"}}),
        ("force-true-no-host", {"migrate": {"force": True}}),
        ("host-null-force-true", {"migrate": {"host": None, "force": True}}),
        ("host-other-extra", {"migrate": {"host": OTHER, "foo": 1}}),
        ("migrate-list", {"migrate": [OTHER]}),
    )

    def _set_disabled(self, disabled):
        self.admin.api("PUT", "/os-services/%s" % self.services[DISABLED],
                       {"status": "disabled" if disabled else "enabled"}, version="2.53")

    # Versions whose answer does not depend on the body (rejected before it
    # is read) or that only repeat another version's behaviour get a sample.
    SAMPLED_VERSIONS = ("legacy-2.55", "both-2.1-and-legacy-2.56", "other-service-header",
                        "2.105", "2.200", "2.0", "2.x", "2.056")
    SAMPLE_BODIES = ("migrate-null", "host-other", "host-bad-chars")

    def matrix(self):
        """Every microversion x body, as admin, on an ACTIVE server."""
        sid = None
        for vid, version in self.VERSIONS:
            for bid, body in self.BODIES:
                if vid in self.SAMPLED_VERSIONS and bid not in self.SAMPLE_BODIES:
                    continue
                if sid is None:
                    sid = self.server()
                disabled = body.get("migrate") == {"host": DISABLED} if isinstance(body.get("migrate"), dict) else False
                if disabled:
                    self._set_disabled(True)
                try:
                    status, _ = self.record("migrate/%s/%s" % (vid, bid), "admin", "POST",
                                            "/servers/%s/action" % sid, body, version=version, sid=sid)
                finally:
                    if disabled:
                        self._set_disabled(False)
                if status == 202:
                    self.delete(sid)
                    sid = None
        if sid:
            self.delete(sid)

    PRECONDITION_BODIES = (
        ("migrate-null", "2.1", {"migrate": None}),
        ("migrate-null", "2.56", {"migrate": None}),
        ("host-other", "2.56", {"migrate": {"host": OTHER}}),
        ("host-own", "2.56", {"migrate": {"host": SOURCE}}),
        ("host-unknown", "2.56", {"migrate": {"host": UNKNOWN}}),
        ("migrate-string", "2.56", {"migrate": "x"}),
    )

    def preconditions(self):
        states = ("ACTIVE", "SHUTOFF", "VERIFY_RESIZE", "PAUSED", "SUSPENDED", "LOCKED", "LOCKED_BY_OWNER")
        for state in states:
            for who in ("admin", "manager"):
                sid = None
                for bid, version, body in self.PRECONDITION_BODIES:
                    # A refused request changes nothing: the server is reused
                    # until a request is accepted.
                    sid = sid or self.server(state)
                    status, _ = self.record("precondition/%s/%s/%s@%s" % (state, who, bid, version), who,
                                            "POST", "/servers/%s/action" % sid, body, version=version, sid=sid)
                    if status == 202:
                        self.delete(sid)
                        sid = None
                if sid:
                    self.delete(sid)
        # The source host's nova-compute reported down (forced_down, 2.53). Before 20
        # (Train) the API does not check the source service and accepts (202, then the
        # outcome is recorded): servers for that are created while the host is up, since
        # none can be booted on it while it is down.
        while len(self.pool) < 2 * len(self.PRECONDITION_BODIES):
            self.pool.append(self._create())
        # Scheduled before the host goes down (a build still in BUILD would find no host).
        for pooled in self.pool:
            self.wait(pooled, lambda s: s["status"] != "BUILD")
        sid = self.server()
        self.admin.api("PUT", "/os-services/%s" % self.services[SOURCE], {"forced_down": True}, version="2.53")
        try:
            for who in ("admin", "manager"):
                for bid, version, body in self.PRECONDITION_BODIES:
                    sid = sid or self.server()
                    status, _ = self.record("precondition/SOURCE_DOWN/%s/%s@%s" % (who, bid, version), who, "POST",
                                            "/servers/%s/action" % sid, body, version=version, sid=sid)
                    if status == 202:
                        self.delete(sid)
                        sid = None
        finally:
            self.admin.api("PUT", "/os-services/%s" % self.services[SOURCE], {"forced_down": False},
                           version="2.53")
        if sid:
            self.delete(sid)
        for who in ROLES:
            for bid, version, body in self.PRECONDITION_BODIES:
                self.red.server = None
                self.record("precondition/NONEXISTENT/%s/%s@%s" % (who, bid, version), who, "POST",
                            "/servers/%s/action" % MISSING_ID, body, version=version)

    def roles(self):
        bodies = (
            ("migrate-null", "2.1", {"migrate": None}),
            ("migrate-null", "2.56", {"migrate": None}),
            ("migrate-empty", "2.56", {"migrate": {}}),
            ("host-null", "2.56", {"migrate": {"host": None}}),
            ("host-other", "2.56", {"migrate": {"host": OTHER}}),
            ("host-own", "2.56", {"migrate": {"host": SOURCE}}),
            ("host-unknown", "2.56", {"migrate": {"host": UNKNOWN}}),
            ("host-bad-chars", "2.56", {"migrate": {"host": "bad host!"}}),
            ("host-other-force-true", "2.56", {"migrate": {"host": OTHER, "force": True}}),
            ("host-other", "2.55", {"migrate": {"host": OTHER}}),
        )
        for who in ROLES:
            sid = None
            for bid, version, body in bodies:
                sid = sid or self.server()
                status, _ = self.record("role/%s/%s@%s" % (who, bid, version), who, "POST",
                                        "/servers/%s/action" % sid, body, version=version, sid=sid)
                if status == 202:
                    self.delete(sid)
                    sid = None
            if sid:
                self.delete(sid)

    def confirm_revert(self):
        a = "admin"
        for action, status_ok in (("confirmResize", 204), ("revertResize", 202)):
            for who in ("admin", "manager", "member", "reader", "other"):
                sid = self.server("VERIFY_RESIZE")
                status, _ = self.record("%s/VERIFY_RESIZE/%s@2.56" % (action, who), who, "POST",
                                        "/servers/%s/action" % sid, {action: None}, version="2.56", sid=sid,
                                        follow=False)
                if status in (202, 204):
                    srv = self.wait(sid, lambda s: s["status"] in ("ACTIVE", "SHUTOFF") and s["OS-EXT-STS:task_state"] is None)
                    time.sleep(0.2)  # the migration record is updated just after the server
                    migs = self.admin.api("GET", "/os-migrations?instance_uuid=" + sid,
                                          version=self.aux("2.80"))["migrations"]
                    self.obs[-1]["outcome"] = {
                        "server": {"status": srv["status"], "host": srv["OS-EXT-SRV-ATTR:host"],
                                   "vm_state": srv["OS-EXT-STS:vm_state"],
                                   "task_state": srv["OS-EXT-STS:task_state"]},
                        "migrations": [self.red.value(m) for m in migs],
                    }
                self.delete(sid)
            sid = self.server()
            self.record("%s/ACTIVE/admin@2.56" % action, a, "POST", "/servers/%s/action" % sid,
                        {action: None}, version="2.56", sid=sid, follow=False)
            self.delete(sid)
            sid = self.server("SHUTOFF")
            self.record("%s/SHUTOFF/admin@2.56" % action, a, "POST", "/servers/%s/action" % sid,
                        {action: None}, version="2.56", sid=sid, follow=False)
            self.delete(sid)
        # A stopped server: migrate, confirm -> stays SHUTOFF on the target.
        sid = self.server("SHUTOFF")
        self.record("stopped/migrate@2.56", a, "POST", "/servers/%s/action" % sid,
                    {"migrate": {"host": OTHER}}, version="2.56", sid=sid)
        self.record("stopped/confirmResize@2.56", a, "POST", "/servers/%s/action" % sid,
                    {"confirmResize": None}, version="2.56", sid=sid, follow=False)
        srv = self.wait(sid, lambda s: s["OS-EXT-STS:task_state"] is None and s["status"] != "VERIFY_RESIZE")
        self.obs[-1]["outcome"] = {"server": {"status": srv["status"], "host": srv["OS-EXT-SRV-ATTR:host"],
                                              "vm_state": srv["OS-EXT-STS:vm_state"]}}
        self.delete(sid)

    def listings(self):
        """Migration listings at the versions that change them, while a cold
        migration is in VERIFY_RESIZE."""
        sid = self.server("VERIFY_RESIZE")
        self.red.server = sid
        for v in ("2.1", "2.23", "2.59", "2.66", "2.80", "2.104"):
            self.record("os-migrations@%s" % v, "admin", "GET", "/os-migrations?instance_uuid=%s" % sid,
                        version=v, sid=sid)
        self.record("os-migrations/unknown-param@2.59", "admin", "GET", "/os-migrations?foo=bar",
                    version="2.59")
        self.record("os-migrations/unknown-param@2.1", "admin", "GET", "/os-migrations?foo=bar&instance_uuid=%s" % sid,
                    version="2.1", sid=sid)
        self.record("os-migrations/member@2.80", "member", "GET", "/os-migrations", version="2.80")
        self.record("server-migrations/VERIFY_RESIZE@2.80", "admin", "GET", "/servers/%s/migrations" % sid,
                    version="2.80", sid=sid)
        self.record("server/VERIFY_RESIZE@2.1", "admin", "GET", "/servers/%s" % sid, version="2.1", sid=sid)
        self.delete(sid)

    def concurrency(self):
        """Two migrates of one server back to back on two connections (the
        second request is sent before the first answer is read)."""
        sid = self.server()
        self.red.server = sid
        conns = [Http(self.admin.base_url) for _ in range(4)]
        h = {"X-Auth-Token": self.admin.token, "Content-Type": "application/json",
             "OpenStack-API-Version": "compute 2.56", "Accept": "application/json"}
        path = self.admin.compute_path + "/servers/%s/action" % sid
        for c in conns:
            c.conn = http.client.HTTPConnection(c.host, c.port, timeout=60)
            c.conn.request("POST", path, body=json.dumps({"migrate": None}), headers=h)
        statuses = []
        for c in conns:
            r = c.conn.getresponse()
            body = r.read()
            try:
                body = json.loads(body) if body else None
            except ValueError:
                body = body.decode()
            statuses.append({"status": r.status, "body": self.red.value(body)})
            c.conn.close()
        statuses.sort(key=lambda x: (x["status"], json.dumps(x["body"])))
        self.obs.append({
            "id": "concurrency/4-parallel-migrate@2.56",
            "as": "admin",
            "request": {"method": "POST", "path": self.red.text(path),
                        "headers": {"OpenStack-API-Version": "compute 2.56"}, "body": {"migrate": None}},
            "responses_sorted": statuses,
            "note": "racy by nature: which requests lose, and whether they get 409 or 500, depends on timing",
        })
        self.wait(sid, lambda s: s["OS-EXT-STS:task_state"] is None and s["status"] != "RESIZE")
        self.delete(sid)


def _vtuple(version):
    major, minor = version.split(".")
    return int(major), int(minor)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clouds-yaml", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--groups", default="discovery,matrix,preconditions,roles,confirm_revert,listings,concurrency")
    args = p.parse_args()
    with open(args.clouds_yaml) as f:
        clouds = yaml.safe_load(f)["clouds"]
    sessions = {r: Session(r, clouds["upstream-" + r]) for r in ROLES}
    probe = Probe(sessions)
    t0 = time.monotonic()
    group_times = {}
    for g in args.groups.split(","):
        tg = time.monotonic()
        getattr(probe, g)()
        group_times[g] = round(time.monotonic() - tg, 1)
        print("probe: %s done (%d observations, %.1fs)" % (g, len(probe.obs), group_times[g]), file=sys.stderr)
    _, _, root = sessions["admin"].call("GET", "/", token=False)
    asyncs = sorted(probe.timings.get("async_seconds", []))
    out = {
        "nova": NOVA_VERSION,
        "max_microversion": root["versions"][-1]["version"] if root else None,
        "generated_by": "upstream-nova/probe.py",
        "setup": {
            "launcher": "upstream-nova/run --hosts 3 --full-host %s" % FULL,
            "source_host": SOURCE,
            "other_host": OTHER,
            "disabled_host": DISABLED + " (disabled only around the host-disabled cases)",
            "full_host": FULL + " (no capacity for any flavor)",
            "servers": "m1.tiny, networks none, created by admin in project demo on %s (2.74 host; "
                       "availability_zone nova:HOST at 2.37 where the max is older)" % SOURCE,
            "roles": {"admin": "demo: admin,member,reader,manager", "manager": "demo: manager,member,reader",
                      "member": "demo: member,reader", "reader": "demo: reader", "other": "other: member,reader"},
        },
        "redactions": "uuids: the case's server <server>, the nonexistent id <missing>, others <uuid>; "
                      "request ids req-<uuid>; Keystone ids <user:NAME>/<project:NAME>; base URL <base>; "
                      "timestamps <timestamp>; migration ids <id>; Date <date>; hostId <hostId>; instance names "
                      "<instance-name>; Content-Length <varies> where the body embeds the base URL; where no host "
                      "was requested (or below 2.56) the scheduler's pick among the eligible hosts "
                      "<scheduler-choice>",
        "observations": probe.obs,
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1, sort_keys=False)
        f.write("\n")
    med = asyncs[len(asyncs) // 2] if asyncs else None
    print("probe: %d observations in %.1fs (groups: %s); accepted migrate -> settled: median %ss, max %ss"
          % (len(probe.obs), time.monotonic() - t0, group_times, med, asyncs[-1] if asyncs else None),
          file=sys.stderr)


if __name__ == "__main__":
    main()
