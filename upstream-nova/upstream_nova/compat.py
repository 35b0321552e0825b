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
    Older releases: as the launcher did for 34 until their own entries are added."""
    major = _major()
    if major >= 34:
        return {"enforce_new_defaults": True}
    if major >= 27:
        return {"enforce_new_defaults": True, "enforce_scope": True}
    return {"enforce_new_defaults": True}
