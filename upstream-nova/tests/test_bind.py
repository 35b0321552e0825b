"""--bind accepts loopback only."""

import argparse
import unittest

from upstream_nova import serve


class BindTest(unittest.TestCase):
    def test_loopback_accepted(self):
        self.assertEqual(("127.0.0.1", 0), serve._parse_bind("127.0.0.1:0"))
        self.assertEqual(("127.0.0.5", 8774), serve._parse_bind("127.0.0.5:8774"))
        self.assertEqual(("::1", 0), serve._parse_bind("[::1]:0"))
        self.assertEqual(("127.0.0.1", 0), serve._parse_bind("localhost:0"))

    def test_others_rejected(self):
        for bad in ("0.0.0.0:0", "10.0.0.1:80", "127.0.0.1", "127.0.0.1:x", "127.0.0.1:70000", "example.org:1"):
            with self.assertRaises(argparse.ArgumentTypeError, msg=bad):
                serve._parse_bind(bad)


if __name__ == "__main__":
    unittest.main()
