"""Where Nova releases differ for the launcher: one small function per difference.

Each names the release range it is for and why, guarded by the installed Nova's major version
(upstream_nova.version.MAJOR, imported lazily: monkey_patch() must run before anything imports
nova's dependencies) or, where the version alone says too little, by the feature itself. The
code must run on the Python the oldest release needs (3.6 for Queens .. Train: no walrus, no
dataclasses, no importlib.metadata, no `from __future__ import annotations`).

Sources are upstream Nova's files at the tags named.
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


def shipped_policy(test):
    """Make Nova's policy engine use the rules and [oslo_policy] defaults the release ships.

    - Before 23 (Wallaby) nova.test.TestCase installs nova.tests.unit.policy_fixture.
      PolicyFixture, which writes nova/tests/unit/fake_policy.py's test rules to a policy
      file (17.0.13 .. 20.6.1: e.g. every os-migrate-server rule is ""). A deployment reads
      the in-code defaults (no policy file is shipped since Newton): point policy_file at an
      empty one.
    - 21 keeps the unit tests' fake policy in its functional base too: use_real_policy().
    - [oslo_policy] enforce_new_defaults (and enforce_scope) as shipped_policy_defaults() says:
      placement's fixture flips the process-wide defaults, so set them back where they exist.
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
    use_real_policy(test)
    for name, value in shipped_policy_defaults().items():
        if has_option(conf, name, "oslo_policy"):
            test.flags(**{name: value, "group": "oslo_policy"})
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


def set_response_validation(test):
    """[api] response_validation as deployed ("warn"; the functional tests' default is
    "error", a 500 on a response that fails its schema). The option exists from Nova 30
    (2024.2, nova/conf/api.py); before it, responses were never validated."""
    if major() >= 30:
        test.flags(response_validation="warn", group="api")


def shipped_policy_defaults():
    """The [oslo_policy] options a deployed Nova of this release has by default (placement's
    functional fixture overrides them for the whole process; the launcher sets these back).

    - 34 (2026.2): enforce_new_defaults True; enforce_scope no longer exists (oslo.policy 6).
    - 30-33 (2024.2-2026.1): both True, oslo.policy's own defaults (>= 4.4.0: oslo_policy/opts.py;
      nova/policy.py stopped overriding them in 30.0.0, c79a73bd42).
    - 27-29 (2023.1-2024.1): both True, set by nova/policy.py (opts.set_defaults(...,
      enforce_scope=True, enforce_new_defaults=True), nova 27.5.1, 28.3.1, 29.4.0).
    - 21-26 (2020.1-2022.2): both False: nova/policy.py does not override them (21.2.4 does not
      call opts.set_defaults at all; 22.4.0-26.3.0 only for policy_file) and the oslo.policy they
      install (3.1.0-4.0.0) defaults both to False (oslo_policy/opts.py). Their deprecated rules
      are therefore OR'ed in, e.g. system_admin_api = 'role:admin and system_scope:all' or the
      deprecated 'is_admin:True' (nova/policies/base.py@21.2.4).
    - 17-20 (Queens-Train): nothing to set (oslo.policy 1.33-2.3 has no enforce_new_defaults;
      enforce_scope keeps its default False, which Nova does not override); their test policy
      file is replaced by shipped_policy_file()."""
    nova_major = major()
    if nova_major >= 34:
        return {"enforce_new_defaults": True}
    if nova_major >= 27:
        return {"enforce_new_defaults": True, "enforce_scope": True}
    if nova_major >= 21:
        return {"enforce_new_defaults": False, "enforce_scope": False}
    return {}


def disable_cast_as_call(test):
    """Keep RPC casts asynchronous, as in a deployed Nova (the API answers 202 first).

    28.3.1 and later have _IntegratedTestBase.CAST_AS_CALL (cloud.py sets it False). Before,
    its setUp always installs the fixture (nova/tests/functional/integrated_helpers.py
    @21.2.4..27.5.1): nova.tests.unit.cast_as_call.CastAsCall before 24.0.0,
    nova.tests.fixtures.CastAsCallFixture from 24.0.0. Replace the class it names while the
    launcher runs (put back by a cleanup at stop). Call before the base class's setUp."""
    nova_major = major()
    if nova_major >= 28 or nova_major < 21:
        return
    import fixtures

    class _NoCastAsCall(fixtures.Fixture):
        """Stands in for Nova's cast-as-call fixture: RPC casts stay casts."""

        def __init__(self, _test):
            super().__init__()

    if nova_major >= 24:
        from nova.tests import fixtures as module

        name = "CastAsCallFixture"
    else:
        from nova.tests.unit import cast_as_call as module

        name = "CastAsCall"
    original = getattr(module, name)
    setattr(module, name, _NoCastAsCall)
    test.addCleanup(setattr, module, name, original)


def use_real_policy(test):
    """Enforce the policy defaults Nova ships, not the unit tests' fake policy.

    nova/test.py's TestCase installs PolicyFixture (nova/tests/unit/fake_policy.py, where e.g.
    os_compute_api:os-migrate-server:migrate is "": anyone). From 22.0.0 _IntegratedTestBase's
    setUp replaces it with RealPolicyFixture; 21.x does not
    (nova/tests/functional/integrated_helpers.py@21.2.4), so the launcher does."""
    if major() != 21:
        return
    from nova.tests.unit import policy_fixture

    test.useFixture(policy_fixture.RealPolicyFixture())
