#!/usr/bin/env python3
"""Run the launcher's unit tests (no Nova needed) with the venv's python and
print the closing line CI reads: "N passed, N failed".

    "$(python3 upstream-nova/launch.py --print-venv)/bin/python" upstream-nova/tests/run.py
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    sys.path.insert(0, ROOT)
    suite = unittest.defaultTestLoader.discover(HERE, top_level_dir=ROOT)
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    line = "%d passed, %d failed" % (passed, failed)
    if result.skipped:
        line += ", %d skipped" % len(result.skipped)
    print(line)
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
