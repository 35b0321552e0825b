"""The seeded identities: the same layout as the mock (docs/architecture.md).

One domain `Default`; project `demo` with users admin/manager/member/reader,
project `other` with user `other`. Role lists are the *effective* roles a real
Keystone puts in a token (implied roles expanded: admin implies member implies
reader, manager implies member), which is what keystonemiddleware passes on to
Nova in X-Roles.
"""

import secrets
import typing
import uuid

DOMAIN_ID = "default"
DOMAIN_NAME = "Default"
REGION = "RegionOne"


# NamedTuples (immutable) rather than frozen dataclasses: the launcher also runs
# on Python 3.6 (Nova Queens .. Train), which has no dataclasses module.
class Project(typing.NamedTuple):
    id: str
    name: str


class User(typing.NamedTuple):
    id: str
    name: str
    password: str
    project: Project
    roles: tuple
    # The clouds.yaml entry written for this user: upstream-<cloud>.
    cloud: str


# (cloud/user name, project name, roles) in the mock's order.
_LAYOUT = (
    ("admin", "demo", ("admin", "member", "reader", "manager")),
    ("manager", "demo", ("manager", "member", "reader")),
    ("member", "demo", ("member", "reader")),
    ("reader", "demo", ("reader",)),
    ("other", "other", ("member", "reader")),
)


def seed():
    """Return (projects, users) with fresh ids and passwords.

    Passwords are generated per run, like the mock's, so that a clouds.yaml
    left behind is useless once the process stops.
    """
    projects = {name: Project(uuid.uuid4().hex, name) for name in ("demo", "other")}
    users = [
        User(
            id=uuid.uuid4().hex,
            name=name,
            password=secrets.token_urlsafe(18),
            project=projects[project],
            roles=roles,
            cloud=name,
        )
        for name, project, roles in _LAYOUT
    ]
    return projects, users
