"""Upstream Nova in one process, built from Nova's own functional-test machinery.

`nova.tests.functional.integrated_helpers._IntegratedTestBase` already wires
the real services together: the API from api-paste.ini, conductor, scheduler,
placement (in-process), oslo.messaging's fake transport, sqlite in memory and
the Glance/Neutron/Cinder fixtures. We reuse it as a library (one instance,
set up once, cleaned up at stop) with these changes so that it behaves like a
deployed cloud rather than a unit test:

- RPC casts stay casts (CAST_AS_CALL = False): the API answers 202 before the
  conductor and computes do the work, as in production.
- The real keystonemiddleware auth_token filter stays in the pipeline
  (STUB_KEYSTONE = False); keystonemiddleware's AuthTokenFixture only replaces
  its token fetch so that tokens issued by our Keystone stand-in validate.
- The production defaults for response validation ("warn", the test
  default is "error") and for [oslo_policy] enforce_new_defaults (True; the
  placement fixture leaks False into Nova's config).
- N compute services named compute1..N on nova.virt.fake drivers, optionally
  extra hosts with no capacity for any flavor, and extra hosts whose
  nova-compute service is disabled (up, but refused by the scheduler).
- Quotas unlimited, so a long conformance run never trips the default 10
  instances per project.
"""

import logging
import os
import sys

from keystonemiddleware import fixture as ksm_fixture
from nova import conf as nova_conf
from nova import context as nova_context
from nova.tests.functional import integrated_helpers

from upstream_nova import compat, drivers

CONF = nova_conf.CONF

# The regular hosts have room for many servers of every default flavor.
DRIVER = drivers.ALIAS + ".RoomyFakeDriver"
# Reports COMPUTE_SAME_HOST_COLD_MIGRATE: a migrate without host may then stay
# on the source host (a migrate *to* the source host by name is still a 400).
SAME_HOST_DRIVER = drivers.ALIAS + ".RoomySameHostDriver"
# A host whose placement inventory fits no flavor: the scheduler rejects it
# after the 202 ("No valid host found for cold migrate").
FULL_DRIVER = drivers.ALIAS + ".FullFakeDriver"


class UpstreamNova(integrated_helpers._IntegratedTestBase):
    CAST_AS_CALL = False
    STUB_KEYSTONE = False
    # The test base's default before 21 (Ussuri) is unset (each test class names it).
    api_major_version = "v2.1"

    # Set through configure(): setUp() takes no arguments.
    host_names = ("compute1", "compute2", "compute3")
    full_hosts = ()
    disabled_hosts = ()
    same_host = False
    www_authenticate_uri = None

    @classmethod
    def configure(cls, host_names, full_hosts, same_host, www_authenticate_uri, disabled_hosts=()):
        """An instance to setUp() (start) and stop()."""
        cls.host_names = tuple(host_names)
        cls.full_hosts = tuple(full_hosts)
        cls.disabled_hosts = tuple(disabled_hosts)
        cls.same_host = same_host
        cls.www_authenticate_uri = www_authenticate_uri
        return cls("runTest")

    def runTest(self):  # noqa: N802 (unittest's name)
        """Never run: this TestCase is used as a library, through setUp()."""

    def setUp(self):
        # Before super().setUp(), which installs the fixtures: RPC casts stay casts
        # (releases before 21 and 21-27 each need their own way).
        compat.keep_casts_as_casts(self)
        compat.disable_cast_as_call(self)
        compat.use_neutron(type(self))
        super().setUp()

    def _setup_services(self):
        # The test default raises 500 on a response that fails its schema;
        # deployments use "warn" (nova/conf/api.py; from Nova 30).
        compat.set_response_validation(self)
        compat.keystone_auth(self)
        # The wheel installs api-paste.ini under <venv>/etc/nova, not next to
        # the package where the test config looks for it.
        self.flags(api_paste_config=os.path.join(sys.prefix, "etc", "nova", "api-paste.ini"), group="wsgi")
        # Before the API is loaded from api-paste.ini: the real auth_token
        # filter reads its options when the pipeline is built.
        self.flags(www_authenticate_uri=self.www_authenticate_uri, group="keystone_authtoken")
        self.flags(delay_auth_decision=False, group="keystone_authtoken")
        self.auth_tokens = self.useFixture(ksm_fixture.AuthTokenFixture())
        # Placement's test fixture flips the *global* defaults of
        # [oslo_policy] enforce_new_defaults (and enforce_scope, where it
        # exists) to False (it calls oslo_policy.opts.set_defaults, which
        # changes the shared option objects), so Nova's functional tests run
        # with the deprecated rules OR'ed in (e.g. a reader may confirmResize).
        # Restore what the release ships (and its in-code rules where the test
        # base installs a test policy) and rebuild the enforcer.
        compat.shipped_policy(self)
        if self.same_host:
            compat.same_host_cold_migrate(self)
        for opt in ("instances", "cores", "ram"):
            self.flags(**{opt: -1, "group": "quota"})
        super()._setup_services()

    def _setup_compute_service(self):
        drivers.register()
        first = None
        for name in self.host_names:
            self.flags(compute_driver=SAME_HOST_DRIVER if self.same_host else DRIVER)
            svc = compat.start_compute(self, name)
            first = first or svc
        for name in self.full_hosts:
            self.flags(compute_driver=FULL_DRIVER)
            compat.start_compute(self, name)
        for name in self.disabled_hosts:
            self.flags(compute_driver=SAME_HOST_DRIVER if self.same_host else DRIVER)
            compat.start_compute(self, name)
            # What `PUT /os-services/{id} {"status": "disabled"}` does (the
            # same HostAPI call, so the COMPUTE_STATUS_DISABLED trait is
            # synced to placement too); done in-process because the API
            # needs a Keystone token the launcher has not issued yet.
            compat.disable_service(nova_context.get_admin_context(), name)
        return first

    def register_token(self, token, token_id):
        self.auth_tokens.add_token(token, token_id=token_id)

    @property
    def app(self):
        """The WSGI app Nova's paste pipeline built (urlmap of / , /v2, /v2.1)."""
        return self.api_fixture.app()

    def stop(self):
        """Run every cleanup (services, fixtures, config) newest first."""
        log = logging.getLogger(__name__)
        while self._cleanups:
            fn, args, kwargs = self._cleanups.pop()
            try:
                fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 - stopping: log and go on
                log.exception("cleanup %r failed", fn)
