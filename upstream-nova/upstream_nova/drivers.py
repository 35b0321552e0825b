"""Fake compute drivers sized for a conformance run.

They are nova.virt.fake's own FakeDriver (the driver Nova's functional tests
use), only with different capacities: Nova's MediumFakeDriver fits 15 m1.tiny
servers per host, too few for a long matrix run.
"""

from nova.virt import fake


class RoomyFakeDriver(fake.FakeDriver):
    """Room for hundreds of servers of every default flavor."""

    # FakeDriver itself reports True before 21 (nova/virt/fake.py@20.6.1): say it
    # for every release, so that only --same-host-migrate allows a stay on the source.
    capabilities = dict(fake.FakeDriver.capabilities, supports_migrate_to_same_host=False)
    vcpus = 64
    memory_mb = 262144
    local_gb = 100000


class RoomySameHostDriver(RoomyFakeDriver):
    """Also reports COMPUTE_SAME_HOST_COLD_MIGRATE (like fake.SameHostColdMigrateDriver)."""

    capabilities = dict(fake.FakeDriver.capabilities, supports_migrate_to_same_host=True)


class FullFakeDriver(fake.FakeDriver):
    """Fits no flavor: 768 MB minus the 512 MB reserved_host_memory_mb default
    leaves 256 MB, less than m1.tiny's 512, so placement offers this host for
    nothing and a migrate to it fails in the scheduler (after the 202)."""

    vcpus = 1
    memory_mb = 768
    local_gb = 1


# Nova loads compute drivers only from its own namespace ('nova.virt.' +
# compute_driver), so this module is made importable as nova.virt.conform_fake.
ALIAS = "conform_fake"


def register():
    import sys

    import nova.virt

    sys.modules["nova.virt." + ALIAS] = sys.modules[__name__]
    setattr(nova.virt, ALIAS, sys.modules[__name__])
