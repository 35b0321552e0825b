"""Where Nova releases differ for the launcher: one small function per difference.

Each is guarded by the installed Nova's major version (upstream_nova.version.MAJOR, imported
lazily: patch_eventlet() must run before anything imports nova's dependencies) or, where the
version alone says too little, by the feature itself, with the release that changed it."""


def patch_eventlet():
    """Eventlet-patch the standard library as Nova's services expect.

    Nova 32 (2025.2) added nova.monkey_patch.patch(); before it, importing the module patched."""
    from nova import monkey_patch

    if hasattr(monkey_patch, "patch"):
        monkey_patch.patch()


def _major():
    from upstream_nova import version

    return version.MAJOR


def set_response_validation(test):
    """[api] response_validation as deployed ("warn"; the functional tests' default is
    "error", a 500 on a response that fails its schema). The option exists from Nova 30
    (2024.2, nova/conf/api.py); before it, responses were never validated."""
    if _major() >= 30:
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
    Older releases (17-20): as the launcher did for 34 until their own entries are added."""
    major = _major()
    if major >= 34:
        return {"enforce_new_defaults": True}
    if major >= 27:
        return {"enforce_new_defaults": True, "enforce_scope": True}
    if major >= 21:
        return {"enforce_new_defaults": False, "enforce_scope": False}
    return {"enforce_new_defaults": True}


def disable_cast_as_call(test):
    """Keep RPC casts asynchronous, as in a deployed Nova (the API answers 202 first).

    28.3.1 and later have _IntegratedTestBase.CAST_AS_CALL (cloud.py sets it False). Before,
    its setUp always installs the fixture (nova/tests/functional/integrated_helpers.py
    @21.2.4..27.5.1): nova.tests.unit.cast_as_call.CastAsCall before 24.0.0,
    nova.tests.fixtures.CastAsCallFixture from 24.0.0. Replace the class it names while the
    launcher runs (put back by a cleanup at stop). Call before the base class's setUp."""
    major = _major()
    if major >= 28 or major < 21:
        return
    import fixtures

    class _NoCastAsCall(fixtures.Fixture):
        """Stands in for Nova's cast-as-call fixture: RPC casts stay casts."""

        def __init__(self, _test):
            super().__init__()

    if major >= 24:
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
    if _major() != 21:
        return
    from nova.tests.unit import policy_fixture

    test.useFixture(policy_fixture.RealPolicyFixture())
