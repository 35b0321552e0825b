"""Where the functional-test machinery of older Nova releases differs (Queens .. Train here).

Each function names the release range it is for and why; the launcher calls them so that
cloud.py and serve.py read the same for every release. The code must run on the Python the
oldest release needs (3.6 for Queens .. Train: no walrus, no dataclasses, no
importlib.metadata, no `from __future__ import annotations`).

Sources are upstream Nova's files at the tags named (17.0.13 Queens, 18.3.0 Rocky,
19.3.2 Stein, 20.6.1 Train, 21.0.0 Ussuri).
"""

import json
import os
import tempfile


def monkey_patch():
    """Eventlet-patch the standard library the way the installed Nova does, before anything
    else imports it (called first by serve.py, so it must not import nova.version).

    - 32 and later: nova.monkey_patch.patch() (importing the module no longer patches);
    - 19 (Stein) .. 31: importing nova.monkey_patch patches;
    - 17 (Queens), 18 (Rocky): no nova.monkey_patch; nova/cmd/__init__.py and
      nova/tests/functional/__init__.py call eventlet.monkey_patch(os=False).
    """
    try:
        from nova import monkey_patch as nova_monkey_patch
    except ImportError:
        import eventlet

        eventlet.monkey_patch(os=False)
        return
    patch = getattr(nova_monkey_patch, "patch", None)
    if patch is not None:
        patch()


def major():
    from upstream_nova import version

    return version.MAJOR


def has_option(conf, name, group):
    """Whether Nova (or a library it registers options of) knows [group] name."""
    try:
        return name in conf[group]
    except Exception:  # noqa: BLE001 - oslo.config raises NoSuchOptError/NoSuchGroupError
        return False


def keep_casts_as_casts(test):
    """Before 21 (Ussuri) _IntegratedTestBase.setUp always installs the CastAsCall fixture
    (nova/tests/functional/integrated_helpers.py@20.6.1; no CAST_AS_CALL switch), which
    turns every RPC cast into a call: a migrate would answer only after the compute finished.
    A deployed Nova casts, so make that fixture a no-op for this test instance."""
    if major() >= 21:
        return
    import fixtures
    from nova.tests.functional import integrated_helpers

    test.useFixture(fixtures.MonkeyPatch(
        integrated_helpers.__name__ + ".cast_as_call.CastAsCall", _NoCastAsCall))


class _NoCastAsCall(object):
    """Stands in for nova.tests.unit.cast_as_call.CastAsCall: a fixture that does nothing."""

    def __init__(self, *_args, **_kwargs):
        pass

    def setUp(self):
        pass

    def cleanUp(self):
        pass

    def getDetails(self):
        return {}


def shipped_policy(test, enforce_new_defaults):
    """Make Nova's policy engine use the defaults the release ships.

    - Before 23 (Wallaby) nova.test.TestCase installs nova.tests.unit.policy_fixture.
      PolicyFixture, which writes nova/tests/unit/fake_policy.py's test rules to a policy
      file (17.0.13 .. 20.6.1: e.g. every os-migrate-server rule is ""). A deployment reads
      the in-code defaults (no policy file is shipped since Newton): point policy_file at an
      empty one.
    - [oslo_policy] enforce_new_defaults exists from oslo.policy 3.x (Ussuri's 21 on);
      placement's fixture flips its default to False, so set it where it exists.
    """
    from nova import conf as nova_conf
    from nova import policy as nova_policy

    conf = nova_conf.CONF
    if major() < 21:
        tmp = test.useFixture(_TempDir()).path
        path = os.path.join(tmp, "policy.json")
        with open(path, "w") as f:
            json.dump({}, f)
        test.flags(policy_file=path, group="oslo_policy")
    if enforce_new_defaults is not None and has_option(conf, "enforce_new_defaults", "oslo_policy"):
        test.flags(enforce_new_defaults=enforce_new_defaults, group="oslo_policy")
    nova_policy.reset()
    try:
        nova_policy.init(suppress_deprecation_warnings=True)
    except TypeError:
        # init() has no suppress_deprecation_warnings before 21 (nova/policy.py@20.6.1).
        nova_policy.init()


def _TempDir():  # noqa: N802 - a fixture factory
    import fixtures

    return fixtures.TempDir()


def keystone_auth(test):
    """Before 21 (Ussuri) there is no STUB_KEYSTONE switch: the test config sets
    [api] auth_strategy = noauth2 (nova/tests/unit/conf_fixture.py@20.6.1), and api-paste.ini
    then builds the noauth2 pipeline. A deployment's default is keystone (the real
    keystonemiddleware auth_token filter)."""
    if major() < 21:
        test.flags(auth_strategy="keystone", group="api")


def start_compute(test, host):
    """Start nova-compute on `host`.

    _IntegratedTestBase has _start_compute from 21 (Ussuri). Before, only
    ProviderUsageBaseTestCase had one; in 17 (Queens) and 18 (Rocky) the fake driver also
    takes its node names from the module-level nova.virt.fake.set_nodes (else every host
    reports the node CONF.host), as ProviderUsageBaseTestCase._start_compute@18.3.0 does.
    From 19 (Stein) the fake driver names its node after its host."""
    if hasattr(test, "_start_compute"):
        return test._start_compute(host)
    from nova.virt import fake

    if hasattr(fake, "set_nodes"):
        fake.set_nodes([host])
        test.addCleanup(fake.restore_nodes)
    return test.start_service("compute", host=host)


def disable_service(context, host):
    """What `PUT /os-services/{id} {"status": "disabled"}` does for host's nova-compute.

    HostAPI.service_update_by_host_and_binary exists from 20 (Train); before, the same call
    was HostAPI.service_update(context, host, binary, params) (nova/compute/api.py@19.3.2)."""
    from nova.compute import api as compute_api

    api = compute_api.HostAPI()
    params = {"disabled": True, "disabled_reason": "nova-conform: disabled host"}
    if hasattr(api, "service_update_by_host_and_binary"):
        api.service_update_by_host_and_binary(context, host, "nova-compute", params)
    else:
        api.service_update(context, host, "nova-compute", params)


def use_neutron(cls):
    """Before 20 the functional base defaults to nova-network (USE_NEUTRON = False,
    integrated_helpers.py@19.3.2), though a deployment's [DEFAULT] use_neutron default is
    True since Ocata; Train still has the switch. Use the Neutron fixture like a deployment."""
    if hasattr(cls, "USE_NEUTRON"):
        cls.USE_NEUTRON = True


def same_host_cold_migrate(test):
    """--same-host-migrate. From 21 (Ussuri) a cold migrate may stay on the source when the
    source reports COMPUTE_SAME_HOST_COLD_MIGRATE (compute/api.py@21.0.0
    _allow_resize_to_same_host; the launcher's RoomySameHostDriver). Before, the API only
    reads [DEFAULT] allow_resize_to_same_host (compute/api.py@20.6.1 resize: the source is
    in ignore_hosts unless it is True), which also allows a resize to stay: the only switch
    those releases have."""
    if major() < 21:
        test.flags(allow_resize_to_same_host=True)
