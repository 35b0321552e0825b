"""clouds.yaml for the seeded users: clouds upstream-admin, -manager, -member,
-reader and -other (the mock writes the same set as mockcloud-*)."""

import json
import os

import yaml

from upstream_nova import identities

PREFIX = "upstream-"


def render(auth_url, users):
    clouds = {}
    for user in users:
        clouds[PREFIX + user.cloud] = {
            "auth": {
                "auth_url": auth_url,
                "username": user.name,
                "password": user.password,
                "project_name": user.project.name,
                "user_domain_name": identities.DOMAIN_NAME,
                "project_domain_name": identities.DOMAIN_NAME,
            },
            "auth_type": "password",
            "identity_api_version": 3,
            "region_name": identities.REGION,
            "interface": "public",
        }
    try:
        return yaml.safe_dump({"clouds": clouds}, sort_keys=False)
    except TypeError:
        # PyYAML < 5.1 (the one of Nova Queens .. Stein) has no sort_keys and would sort
        # the clouds; JSON is YAML too and keeps the order.
        return json.dumps({"clouds": clouds}, indent=2) + "\n"


def write(path, auth_url, users):
    """Write atomically with mode 0600: the file holds passwords."""
    text = render(auth_url, users)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)
