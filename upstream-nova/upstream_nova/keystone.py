"""A minimal Keystone v3, enough for keystoneauth-based clients.

Hand-written because no Keystone server is installable without its database,
WSGI stack and fernet keys; keystoneauth1's own fixture (V3Token) builds the
token bodies so their shape is exactly what keystoneauth parses. Tokens issued
here are registered with keystonemiddleware's AuthTokenFixture, so the *real*
auth_token middleware in Nova's paste pipeline validates them (401 body,
WWW-Authenticate header and X-* headers are keystonemiddleware's own).

Supported: GET / and /v3 (discovery), POST /v3/auth/tokens (password and token
methods, project scope by id or name), GET/HEAD/DELETE /v3/auth/tokens,
GET /v3/auth/projects, GET /v3/auth/catalog.
"""

import datetime
import json
import secrets

import webob
import webob.dec
from keystoneauth1 import fixture as ks_fixture

from upstream_nova import identities

TOKEN_LIFETIME = datetime.timedelta(hours=12)


def _error(status, title, message):
    body = {"error": {"code": status, "title": title, "message": message}}
    return webob.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        charset=None,
    )


def _unauthorized(message="The request you have made requires authentication."):
    return _error(401, "Unauthorized", message)


def _json(status, body, headers=None):
    resp = webob.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        charset=None,
    )
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


class Keystone:
    """The identity service. `register` is called with (token_id, V3Token)
    for every token issued, to make it known to keystonemiddleware."""

    def __init__(self, base_url, projects, users, register):
        self.base_url = base_url.rstrip("/")
        self.identity_url = self.base_url + "/identity"
        self.projects = projects
        self.users = users
        self.register = register
        self.tokens = {}

    # -- catalog -----------------------------------------------------------
    def _add_catalog(self, token):
        compute = token.add_service("compute", name="nova", id="compute")
        compute.add_standard_endpoints(
            public=self.base_url + "/v2.1",
            internal=self.base_url + "/v2.1",
            admin=self.base_url + "/v2.1",
            region=identities.REGION,
        )
        identity = token.add_service("identity", name="keystone", id="identity")
        identity.add_standard_endpoints(
            public=self.identity_url,
            internal=self.identity_url,
            admin=self.identity_url,
            region=identities.REGION,
        )

    # -- lookups -----------------------------------------------------------
    @staticmethod
    def _domain_ok(ref):
        if ref is None:
            return True
        if "id" in ref:
            return ref["id"] == identities.DOMAIN_ID
        if "name" in ref:
            return ref["name"] == identities.DOMAIN_NAME
        return False

    def _find_user(self, ref):
        if not isinstance(ref, dict):
            return None
        for user in self.users:
            if "id" in ref and ref["id"] == user.id:
                return user
            if "name" in ref and ref["name"] == user.name:
                # A user named without a domain is ambiguous in Keystone: 400.
                if "domain" not in ref:
                    raise ValueError("Expecting to find domain in user.")
                if self._domain_ok(ref["domain"]):
                    return user
        return None

    def _find_project(self, ref):
        if not isinstance(ref, dict):
            return None
        for project in self.projects.values():
            if "id" in ref and ref["id"] == project.id:
                return project
            if "name" in ref and ref["name"] == project.name:
                if self._domain_ok(ref.get("domain")):
                    return project
        return None

    # -- token issue -------------------------------------------------------
    def _issue(self, user, project, methods, audit_chain=None):
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        token = ks_fixture.V3Token(
            user_id=user.id,
            user_name=user.name,
            user_domain_id=identities.DOMAIN_ID,
            user_domain_name=identities.DOMAIN_NAME,
            methods=methods,
            issued=now,
            expires=now + TOKEN_LIFETIME,
            audit_chain_id=audit_chain,
        )
        if project is not None:
            token.set_project_scope(
                id=project.id,
                name=project.name,
                domain_id=identities.DOMAIN_ID,
                domain_name=identities.DOMAIN_NAME,
            )
            for role in user.roles:
                token.add_role(name=role, id=role)
            self._add_catalog(token)
        token_id = "gAAAA" + secrets.token_urlsafe(120)
        self.tokens[token_id] = (token, user, project)
        self.register(token, token_id)
        return token_id, token

    def _authenticate(self, auth):
        """Return (user, project-or-None, methods) or a webob error response."""
        identity = auth.get("identity")
        if not isinstance(identity, dict) or not isinstance(identity.get("methods"), list):
            return _error(400, "Bad Request", "Expecting to find identity in auth.")
        methods = identity["methods"]
        if "password" in methods:
            pw = identity.get("password") or {}
            try:
                user = self._find_user(pw.get("user"))
            except ValueError as exc:
                return _error(400, "Bad Request", str(exc))
            given = (pw.get("user") or {}).get("password")
            if user is None or not isinstance(given, str) or not secrets.compare_digest(
                given.encode(), user.password.encode()
            ):
                return _unauthorized()
            default_project = user.project
        elif "token" in methods:
            tid = (identity.get("token") or {}).get("id")
            entry = self.tokens.get(tid)
            if entry is None:
                return _unauthorized()
            _, user, default_project = entry
        else:
            return _unauthorized("Unsupported authentication method.")
        scope = auth.get("scope")
        if scope is None or scope == "unscoped":
            return user, None, methods
        if not isinstance(scope, dict) or "project" not in scope:
            return _unauthorized("Only project scope is supported by this Keystone.")
        project = self._find_project(scope["project"])
        if project is None or project.id != user.project.id:
            # Keystone hides whether the project exists from a user with no role on it.
            return _unauthorized(
                "User %s has no access to project %s"
                % (user.id, (scope["project"] or {}).get("id") or (scope["project"] or {}).get("name"))
            )
        del default_project
        return user, project, methods

    # -- WSGI --------------------------------------------------------------
    def _version(self):
        return {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": self.identity_url + "/v3/"}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
            ],
        }

    def _lookup_subject(self, req):
        token = req.headers.get("X-Auth-Token")
        subject = req.headers.get("X-Subject-Token")
        if token not in self.tokens:
            return None, _unauthorized()
        entry = self.tokens.get(subject)
        if entry is None:
            return None, _error(404, "Not Found", "Could not find token: %s." % "<redacted>")
        return entry, None

    @webob.dec.wsgify
    def __call__(self, req):
        path = req.path_info.rstrip("/")
        method = req.method
        if path == "" and method == "GET":
            return _json(300, {"versions": {"values": [self._version()]}})
        if path == "/v3" and method == "GET":
            return _json(200, {"version": self._version()})
        if path == "/v3/auth/tokens":
            if method == "POST":
                return self._post_tokens(req)
            if method in ("GET", "HEAD"):
                entry, err = self._lookup_subject(req)
                if err is not None:
                    return err
                token = entry[0]
                return _json(200, token, {"X-Subject-Token": req.headers["X-Subject-Token"]})
            if method == "DELETE":
                entry, err = self._lookup_subject(req)
                if err is not None:
                    return err
                self.tokens.pop(req.headers["X-Subject-Token"], None)
                return webob.Response(status=204)
            return _error(405, "Method Not Allowed", "The method is not allowed.")
        if path in ("/v3/auth/projects", "/v3/auth/catalog") and method == "GET":
            entry = self.tokens.get(req.headers.get("X-Auth-Token"))
            if entry is None:
                return _unauthorized()
            token, user, project = entry
            if path.endswith("catalog"):
                return _json(200, {"catalog": token.root.get("catalog", [])})
            p = user.project
            return _json(
                200,
                {
                    "projects": [
                        {
                            "id": p.id,
                            "name": p.name,
                            "domain_id": identities.DOMAIN_ID,
                            "enabled": True,
                            "is_domain": False,
                            "parent_id": identities.DOMAIN_ID,
                            "links": {"self": self.identity_url + "/v3/projects/" + p.id},
                        }
                    ]
                },
            )
        return _error(404, "Not Found", "The resource could not be found.")

    def _post_tokens(self, req):
        try:
            body = json.loads(req.body or b"null")
        except ValueError:
            return _error(400, "Bad Request", "Malformed request body.")
        auth = body.get("auth") if isinstance(body, dict) else None
        if not isinstance(auth, dict):
            return _error(400, "Bad Request", "Expecting to find auth in request body.")
        result = self._authenticate(auth)
        if isinstance(result, webob.Response):
            return result
        user, project, methods = result
        token_id, token = self._issue(user, project, methods)
        return _json(201, token, {"X-Subject-Token": token_id})
