"""Where the functional-test machinery of older Nova releases differs (Nova 21-27).

Each function is one difference, guarded by the installed Nova's major version
(upstream_nova.version.MAJOR) and commented with the release and the reason, so that
cloud.py reads the same for every release. Sources are Nova's files at the tag named.
"""

# Only Nova's version here: serve.py imports this module before eventlet patches the
# standard library (anything else is imported inside the function that needs it).
from upstream_nova.version import MAJOR


def monkey_patch():
    """Let eventlet patch the standard library, before anything else imports it.

    From 32.0.0 nova.monkey_patch has patch() (nova/monkey_patch.py@32.0.0); before, importing
    the module patches (nova/monkey_patch.py@21.2.4..31.x, unless
    OS_NOVA_DISABLE_EVENTLET_PATCHING is set)."""
    from nova import monkey_patch as module

    if MAJOR >= 32:
        module.patch()


def disable_cast_as_call(test):
    """Keep RPC casts asynchronous, as in a deployed Nova (the API answers 202 first).

    From 29.0.0 _IntegratedTestBase has CAST_AS_CALL (cloud.py sets it False). Before,
    its setUp always installs the fixture (nova/tests/functional/integrated_helpers.py
    @21.2.4..27.5.1): nova.tests.unit.cast_as_call.CastAsCall before 24.0.0,
    nova.tests.fixtures.CastAsCallFixture from 24.0.0. Replace the class it names
    for the duration of setUp (put back by a cleanup at stop)."""
    if MAJOR >= 29:
        return
    import fixtures

    class _NoCastAsCall(fixtures.Fixture):
        """Stands in for Nova's cast-as-call fixture: RPC casts stay casts."""

        def __init__(self, _test):
            super().__init__()

    if MAJOR >= 24:
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

    nova/test.py's TestCase installs PolicyFixture (nova/tests/unit/fake_policy.py, where
    e.g. os_compute_api:os-migrate-server:migrate is "" = anyone). From 22.0.0
    _IntegratedTestBase.setUp replaces it with RealPolicyFixture; 21.x does not
    (nova/tests/functional/integrated_helpers.py@21.2.4), so do it here."""
    if MAJOR >= 22:
        return
    from nova.tests.unit import policy_fixture

    test.useFixture(policy_fixture.RealPolicyFixture())


def shipped_policy_defaults():
    """The [oslo_policy] options a deployed Nova of this release runs with.

    Placement's functional fixture changes the shared option defaults (it calls
    oslo_policy.opts.set_defaults), so they are set explicitly:
    - 21-26: Nova does not override oslo.policy's defaults (nova/policy.py@21.2.4..26.3.0)
      and the oslo.policy they install (3.1.0..4.0.0) defaults both enforce_scope and
      enforce_new_defaults to False (oslo_policy/opts.py).
    - 27.0.0 sets both to True (nova/policy.py@27.0.0 opts.set_defaults(...,
      enforce_scope=True, enforce_new_defaults=True); release note
      enable-enforce-scope-and-new-defaults-14db8c75b263b599.yaml).
    - From 28 unchanged here (enforce_new_defaults True; enforce_scope is True by default
      there and gone from oslo.policy 6, which Nova 34 installs)."""
    if MAJOR < 27:
        return {"enforce_new_defaults": False, "enforce_scope": False}
    if MAJOR == 27:
        return {"enforce_new_defaults": True, "enforce_scope": True}
    return {"enforce_new_defaults": True}


def api_flags():
    """[api] options the launcher sets: response_validation ("warn", the deployment default;
    the test default "error" answers 500 on a response that fails its schema) exists from
    30.0.0 (nova/conf/api.py@30.0.0; note api-validation-8ad561407b52175f.yaml)."""
    if MAJOR >= 30:
        return {"response_validation": "warn"}
    return {}
