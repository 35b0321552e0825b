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
