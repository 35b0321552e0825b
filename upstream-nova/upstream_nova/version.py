"""The installed Nova's version, for the few places where releases differ.

Every Nova release ships nova.version (pbr), back to Queens on Python 3.6."""

from nova import version as _nova_version

VERSION = _nova_version.version_info.release_string()
MAJOR = int(VERSION.split(".")[0])
