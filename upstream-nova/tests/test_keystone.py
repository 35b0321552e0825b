"""The Keystone stand-in: what keystoneauth-based clients rely on."""

import json
import unittest

import webob

from upstream_nova import identities, keystone

BASE = "http://127.0.0.1:5000"


def password_auth(user, password, project=None, domain="Default"):
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": user, "domain": {"name": domain}, "password": password}},
        }
    }
    if project:
        auth["scope"] = {"project": {"name": project, "domain": {"name": "Default"}}}
    return {"auth": auth}


class KeystoneTest(unittest.TestCase):
    def setUp(self):
        self.projects, self.users = identities.seed()
        self.registered = {}
        self.ks = keystone.Keystone(BASE, self.projects, self.users,
                                    lambda tok, tid: self.registered.__setitem__(tid, tok))
        self.by_name = {u.name: u for u in self.users}

    def call(self, method, path, body=None, headers=None):
        req = webob.Request.blank(path, method=method, headers=headers or {})
        if body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = "application/json"
        return req.get_response(self.ks)

    def login(self, name, project="demo"):
        u = self.by_name[name]
        return self.call("POST", "/v3/auth/tokens", password_auth(name, u.password, project))

    def test_password_login_scoped_token_with_catalog_and_roles(self):
        resp = self.login("manager")
        self.assertEqual(201, resp.status_int)
        token_id = resp.headers["X-Subject-Token"]
        self.assertIn(token_id, self.registered, "token must be handed to keystonemiddleware")
        token = resp.json["token"]
        self.assertEqual("manager", token["user"]["name"])
        self.assertEqual(self.projects["demo"].id, token["project"]["id"])
        self.assertEqual({"manager", "member", "reader"}, {r["name"] for r in token["roles"]})
        urls = {(s["type"], e["interface"]): e["url"] for s in token["catalog"] for e in s["endpoints"]}
        self.assertEqual(BASE + "/v2.1", urls[("compute", "public")])
        self.assertEqual(BASE + "/identity", urls[("identity", "public")])
        self.assertTrue(all(e["region"] == "RegionOne" for s in token["catalog"] for e in s["endpoints"]))

    def test_wrong_password_unknown_user_and_wrong_domain_are_401(self):
        for body in (
            password_auth("admin", "wrong", "demo"),
            password_auth("nobody", "x", "demo"),
            password_auth("admin", self.by_name["admin"].password, "demo", domain="Other"),
        ):
            resp = self.call("POST", "/v3/auth/tokens", body)
            self.assertEqual(401, resp.status_int)
            self.assertEqual("Unauthorized", resp.json["error"]["title"])
        self.assertEqual({}, self.registered)

    def test_no_access_to_another_project(self):
        resp = self.login("member", project="other")
        self.assertEqual(401, resp.status_int)

    def test_unscoped_token_has_no_catalog_or_roles(self):
        u = self.by_name["admin"]
        resp = self.call("POST", "/v3/auth/tokens", password_auth("admin", u.password))
        self.assertEqual(201, resp.status_int)
        self.assertNotIn("catalog", resp.json["token"])
        self.assertNotIn("project", resp.json["token"])

    def test_token_method_rescopes(self):
        tid = self.login("other", project="other").headers["X-Subject-Token"]
        body = {"auth": {"identity": {"methods": ["token"], "token": {"id": tid}},
                         "scope": {"project": {"id": self.projects["other"].id}}}}
        resp = self.call("POST", "/v3/auth/tokens", body)
        self.assertEqual(201, resp.status_int)
        self.assertNotEqual(tid, resp.headers["X-Subject-Token"])
        self.assertEqual(["token"], resp.json["token"]["methods"])

    def test_validate_and_revoke(self):
        tid = self.login("admin").headers["X-Subject-Token"]
        h = {"X-Auth-Token": tid, "X-Subject-Token": tid}
        self.assertEqual(200, self.call("GET", "/v3/auth/tokens", headers=h).status_int)
        self.assertEqual(204, self.call("DELETE", "/v3/auth/tokens", headers=h).status_int)
        self.assertEqual(401, self.call("GET", "/v3/auth/tokens", headers=h).status_int)

    def test_discovery(self):
        root = self.call("GET", "/")
        self.assertEqual(300, root.status_int)
        self.assertEqual("v3.14", root.json["versions"]["values"][0]["id"])
        v3 = self.call("GET", "/v3")
        self.assertEqual(200, v3.status_int)
        self.assertEqual(BASE + "/identity/v3/", v3.json["version"]["links"][0]["href"])

    def test_bad_bodies_are_400_not_500(self):
        for raw in (b"{", b"[]", b'{"auth": 1}', b'{"auth": {"identity": {}}}'):
            req = webob.Request.blank("/v3/auth/tokens", method="POST", body=raw)
            self.assertEqual(400, req.get_response(self.ks).status_int, raw)

    def test_unknown_path_404(self):
        self.assertEqual(404, self.call("GET", "/v3/users").status_int)


if __name__ == "__main__":
    unittest.main()
