#!/usr/bin/env python3
"""Write tempest.conf and accounts.yaml for a cloud described by a clouds.yaml.

Tempest 47 is run with pre-provisioned credentials (no identity admin API is needed): an
admin and, in the first project, member/manager/reader accounts, plus a member of a second
project. The accounts come from the clouds `<prefix>-admin`, `-member`, `-manager`, `-reader`
and `-other` of the clouds.yaml that `mockcloud serve --clouds-yaml` (or the upstream-Nova
launcher) writes, so passwords never have to be typed anywhere else.

Usage: make_config.py CLOUDS_YAML PREFIX OUT_DIR
"""
import os
import sys

import yaml

# The order matters: Tempest gives the `primary` credential the first free non-admin
# account of the file, so the plain member comes first and the manager/reader accounts stay
# free for the `project_manager` / `project_reader` credentials of MigrationsAdminTest.
PERSONAS = [("member", ["member"]), ("admin", ["admin"]), ("manager", ["manager"]),
            ("reader", ["reader"]), ("other", ["member"])]


def main(clouds_yaml, prefix, out_dir):
    with open(clouds_yaml) as f:
        clouds = yaml.safe_load(f)["clouds"]
    accounts = []
    for persona, roles in PERSONAS:
        auth = clouds[f"{prefix}-{persona}"]["auth"]
        accounts.append({
            "username": auth["username"],
            "password": auth["password"],
            "project_name": auth["project_name"],
            "user_domain_name": auth.get("user_domain_name", "Default"),
            "project_domain_name": auth.get("project_domain_name", "Default"),
            "roles": roles,
        })
    admin = clouds[f"{prefix}-admin"]
    auth_url = admin["auth"]["auth_url"].rstrip("/")
    if not auth_url.endswith("/v3"):
        auth_url += "/v3"
    region = admin.get("region_name", "RegionOne")
    for sub in ("", "logs", "locks"):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
    accounts_path = os.path.join(out_dir, "accounts.yaml")
    with open(accounts_path, "w") as f:
        yaml.safe_dump(accounts, f)
    os.chmod(accounts_path, 0o600)
    conf = f"""[DEFAULT]
log_dir = {out_dir}/logs
log_file = tempest.log
lock_path = {out_dir}/locks

[oslo_concurrency]
lock_path = {out_dir}/locks

[auth]
use_dynamic_credentials = False
test_accounts_file = {accounts_path}
admin_domain_scope = False
default_credentials_domain_name = Default

[identity]
uri_v3 = {auth_url}
auth_version = v3
region = {region}
disable_ssl_certificate_validation = True

[identity-feature-enabled]
api_v2 = False

[compute]
image_ref = {os.environ.get("TEMPEST_IMAGE_REF", "")}
image_ref_alt = {os.environ.get("TEMPEST_IMAGE_REF", "")}
flavor_ref = 1
flavor_ref_alt = 2
min_compute_nodes = 2
min_microversion = 2.37
max_microversion = latest
region = {region}
build_timeout = 60
build_interval = 1

[compute-feature-enabled]
cold_migration = True
resize = True
suspend = True
live_migration = False
console_output = False
attach_encrypted_volume = False

[service_available]
glance = True
neutron = False
cinder = False
swift = False
placement = False

[validation]
run_validation = False

[enforce_scope]
nova = False
"""
    with open(os.path.join(out_dir, "tempest.conf"), "w") as f:
        f.write(conf)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
