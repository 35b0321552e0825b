"""Fake compute drivers sized for a conformance run.

They are nova.virt.fake's own FakeDriver (the driver Nova's functional tests
use), only with different capacities: Nova's MediumFakeDriver fits 15 m1.tiny
servers per host, too few for a long matrix run.
"""

from nova.compute import power_state
from nova.virt import fake


class TracksLiveMigrations(object):
    """Keeps a live-migrated server on its destination's books.

    Before 21.0.0 (Ussuri) FakeDriver's post_live_migration_at_destination did
    nothing, so the destination's driver never knew the server: its power state
    read NOSTATE there and every later live migration of it was refused with a
    409 ("in power_state 0"), which no real hypervisor does. From 21.0.0 Nova's
    own FakeDriver spawns it there (nova/virt/fake.py@21.2.4); this does the
    same for the older series and leaves the newer ones to Nova's code.
    """

    def post_live_migration_at_destination(self, context, instance, network_info,
                                           block_migration=False, block_device_info=None):
        super(TracksLiveMigrations, self).post_live_migration_at_destination(
            context, instance, network_info, block_migration=block_migration,
            block_device_info=block_device_info)
        if instance.uuid not in self.instances:
            self.instances[instance.uuid] = fake.FakeInstance(
                instance.name, power_state.RUNNING, instance.uuid)


class RoomyFakeDriver(TracksLiveMigrations, fake.FakeDriver):
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


class FullFakeDriver(TracksLiveMigrations, fake.FakeDriver):
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
