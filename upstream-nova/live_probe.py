"""Probe upstream Nova's os-migrateLive answers; prints one JSON line per exchange and writes
them to $LIVE_PROBE_OUT (default /tmp/live_probe.json). The observations behind
docs/api-reference.md "Live migration (os-migrateLive)" (*observed*), e.g.:

    PROBE_DIR=$PWD/upstream-nova upstream-nova/ci-stage.sh --release 2026.2 \
        --full-host compute-full --disabled-host compute-disabled \
        -- sh -c '"$UPSTREAM_NOVA_PYTHON" upstream-nova/live_probe.py'

Needs 2.74 (boots with "host"): 2023.1+ series. Not part of any CI stage yet.
"""
import json, os, sys, time
import yaml
sys.path.insert(0, os.environ.get("PROBE_DIR") or os.path.dirname(os.path.abspath(__file__)))
import probe

clouds = yaml.safe_load(open(os.environ["OS_CLIENT_CONFIG_FILE"]))["clouds"]
S = {r: probe.Session(r, clouds["upstream-" + r]) for r in probe.ROLES}
A = S["admin"]
image = A.api("GET", "/images")["images"][0]["id"]
out = []

def rec(name, st, body):
    out.append({"name": name, "status": st, "body": body})
    print(json.dumps({"name": name, "status": st, "body": body}))

def boot(host="compute1"):
    # Booted by the admin on a named host, owned by project demo (the member's).
    sid = S["admin"].api("POST", "/servers", {"server": {"name": "p", "flavorRef": "1", "imageRef": image, "networks": "none", "host": host}}, version="2.74")["server"]["id"]
    wait(sid, lambda s: s["status"] != "BUILD")
    return sid

def wait(sid, done, timeout=30):
    end = time.monotonic() + timeout
    while True:
        s = A.api("GET", "/servers/" + sid, version="2.1")["server"]
        if done(s) or time.monotonic() > end:
            return s
        time.sleep(0.05)

def act(who, sid, v, body):
    st, _, b = S[who].call("POST", "/servers/%s/action" % sid, body, v)
    return st, b

def live(host, **kw):
    d = {"host": host}; d.update(kw); return {"os-migrateLive": d}

sid = boot()
# schema cases
cases = [
 ("2.1", {"os-migrateLive": {"host": None, "block_migration": False}}),
 ("2.24", {"os-migrateLive": {"host": None, "block_migration": "auto", "disk_over_commit": False}}),
 ("2.24", {"os-migrateLive": {"host": None, "block_migration": True, "disk_over_commit": "y"}}),
 ("2.24", {"os-migrateLive": {"host": None, "block_migration": True, "disk_over_commit": False, "force": True}}),
 ("2.25", {"os-migrateLive": {"host": None, "block_migration": "auto", "disk_over_commit": False}}),
 ("2.25", {"os-migrateLive": {"host": None}}),
 ("2.29", {"os-migrateLive": {"host": None, "block_migration": "auto", "force": False}}),
 ("2.30", {"os-migrateLive": {"host": None, "block_migration": "t"}}),
 ("2.30", {"os-migrateLive": {"host": "compute2", "block_migration": "auto", "force": "n"}}),
 ("2.67", {"os-migrateLive": {"host": "compute2", "block_migration": "auto", "force": None}}),
 ("2.68", {"os-migrateLive": {"host": "compute2", "block_migration": "auto", "force": False}}),
 ("2.104", {"os-migrateLive": {"host": "bad host!", "block_migration": "auto"}}),
 ("2.104", {"os-migrateLive": {"host": "", "block_migration": "auto"}}),
 ("2.104", {"os-migrateLive": {"host": 7, "block_migration": "auto"}}),
 ("2.104", {"os-migrateLive": None}),
 ("2.104", {"os-migrateLive": {"host": None, "block_migration": 1}}),
]
for v, b in cases:
    rec("schema %s %s" % (v, json.dumps(b)), *act("admin", sid, v, b))
MISSING = "9a5f7c3e-0c1a-4b1c-9d4c-2f1b2a3c4d5e"
rec("member missing", *act("member", MISSING, "2.68", live(None, block_migration="auto")))
rec("member own", *act("member", sid, "2.68", live(None, block_migration="auto")))
rec("manager host", *act("manager", sid, "2.68", live("compute2", block_migration="auto")))
rec("force no host admin 2.30", *act("admin", sid, "2.30", live(None, block_migration="auto", force=True)))
rec("force no host missing 2.30", *act("admin", MISSING, "2.30", live(None, block_migration="auto", force=True)))
rec("unknown host", *act("admin", sid, "2.68", live("nope", block_migration="auto")))
# sync prechecks before 2.34
rec("2.30 disabled", *act("admin", sid, "2.30", live("compute-disabled", block_migration="auto")))
rec("2.30 source", *act("admin", sid, "2.30", live("compute1", block_migration="auto")))
rec("2.29 source (legacy forced)", *act("admin", sid, "2.29", live("compute1", block_migration="auto")))
rec("2.30 forced source", *act("admin", sid, "2.30", live("compute1", block_migration="auto", force=True)))
rec("2.33 full", *act("admin", sid, "2.33", live("compute-full", block_migration="auto")))
rec("2.30 forced full", *act("admin", sid, "2.30", live("compute-full", block_migration="auto", force=True)))
m = A.api("GET", "/os-migrations?instance_uuid=" + sid, version="2.80")["migrations"]
rec("migrations after sync failures", 200, m)
acts = A.api("GET", "/servers/%s/os-instance-actions" % sid, version="2.84")["instanceActions"]
rec("actions", 200, [a["action"] for a in acts])
d = A.api("GET", "/servers/%s/os-instance-actions/%s" % (sid, acts[0]["request_id"]), version="2.84")
rec("last action", 200, d)
s = A.api("GET", "/servers/" + sid, version="2.1")["server"]
rec("server after", 200, {"status": s["status"], "host": s["OS-EXT-SRV-ATTR:host"], "task": s["OS-EXT-STS:task_state"]})
# async
rec("2.34 source", *act("admin", sid, "2.34", live("compute1", block_migration="auto")))
s = wait(sid, lambda s: s["OS-EXT-STS:task_state"] is None)
acts = A.api("GET", "/servers/%s/os-instance-actions" % sid, version="2.84")["instanceActions"]
rec("async failure action", 200, A.api("GET", "/servers/%s/os-instance-actions/%s" % (sid, acts[0]["request_id"]), version="2.84"))
# forced disabled
rec("2.30 forced disabled", *act("admin", sid, "2.30", live("compute-disabled", block_migration="auto", force=True)))
s = wait(sid, lambda s: s["OS-EXT-STS:task_state"] is None)
rec("server after forced disabled", 200, {"status": s["status"], "host": s["OS-EXT-SRV-ATTR:host"]})
# success with events
rec("2.68 to compute2", *act("admin", sid, "2.68", live("compute2", block_migration="auto")))
s = wait(sid, lambda s: s["OS-EXT-STS:task_state"] is None)
rec("server after success", 200, {"status": s["status"], "host": s["OS-EXT-SRV-ATTR:host"]})
acts = A.api("GET", "/servers/%s/os-instance-actions" % sid, version="2.84")["instanceActions"]
rec("success action", 200, A.api("GET", "/servers/%s/os-instance-actions/%s" % (sid, acts[0]["request_id"]), version="2.84"))
m = A.api("GET", "/os-migrations?instance_uuid=" + sid, version="2.80")["migrations"]
rec("migrations", 200, m)
mid = [x for x in m if x["status"] == "completed"][0]["id"]
st, _, b = A.call("GET", "/servers/%s/migrations/%s" % (sid, mid), None, "2.80"); rec("show completed", st, b)
st, _, b = A.call("GET", "/servers/%s/migrations/%s" % (sid, 99999), None, "2.80"); rec("show unknown", st, b)
st, _, b = A.call("GET", "/servers/%s/migrations" % sid, None, "2.80"); rec("index", st, b)
st, _, b = A.call("POST", "/servers/%s/migrations/%s/action" % (sid, mid), {"force_complete": None}, "2.22"); rec("force_complete idle", st, b)
st, _, b = A.call("DELETE", "/servers/%s/migrations/%s" % (sid, mid), None, "2.24"); rec("abort idle", st, b)
st, _, b = A.call("POST", "/servers/%s/migrations/%s/action" % (sid, mid), {"force_complete": {}}, "2.22"); rec("force_complete schema", st, b)
st, _, b = A.call("POST", "/servers/%s/migrations/%s/action" % (sid, mid), {"force_complete": None}, "2.21"); rec("force_complete 2.21", st, b)
st, _, b = A.call("DELETE", "/servers/%s/migrations/%s" % (sid, mid), None, "2.23"); rec("abort 2.23", st, b)
# states
act("member", sid, "2.1", {"os-stop": None}); wait(sid, lambda s: s["status"] == "SHUTOFF")
rec("stopped", *act("admin", sid, "2.68", live("nope", block_migration="auto")))
act("member", sid, "2.1", {"lock": None})
rec("locked manager", *act("manager", sid, "2.68", live(None, block_migration="auto")))
A.call("DELETE", "/servers/" + sid, None, "2.1")
with open(os.environ.get("LIVE_PROBE_OUT", "/tmp/live_probe.json"), "w") as f:
    json.dump(out, f, indent=1)
