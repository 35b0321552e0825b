#!/usr/bin/env python3
"""openstacksdk against a cloud: negotiate the compute microversion from the discovery
document, cold-migrate a server to a named host, confirm, and check where it ends.

Usage: sdk_check.py CLOUD SERVER TARGET_HOST
"""
import sys
import time

import openstack


def wait_status(conn, server, status, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = conn.compute.get_server(server)
        if server.status == status:
            return server
        time.sleep(0.2)
    raise SystemExit(f"sdk: {server.name} stuck in {server.status}, wanted {status}")


def main(cloud, name, target):
    conn = openstack.connect(cloud=cloud)
    version = conn.compute.get_endpoint_data().api_version
    max_version = conn.compute.get_endpoint_data().max_microversion
    assert max_version is not None and tuple(max_version) >= (2, 56), max_version
    server = conn.compute.find_server(name, ignore_missing=False)
    conn.compute.migrate_server(server, host=target)
    server = wait_status(conn, server, "VERIFY_RESIZE")
    assert server.compute_host == target, (server.compute_host, target)
    conn.compute.confirm_server_resize(server)
    server = wait_status(conn, server, "ACTIVE")
    assert server.compute_host == target, (server.compute_host, target)
    print(f"sdk: ok: migrate_server(host={target}) with negotiated microversion "
          f"(endpoint {version}, max {max_version[0]}.{max_version[1]})")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
