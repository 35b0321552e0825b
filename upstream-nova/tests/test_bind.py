"""Command-line validation: --bind accepts loopback only; host names."""

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


class HostNamesTest(unittest.TestCase):
    def test_full_host_names(self):
        args = serve.parse_args(["--clouds-yaml", "c.yaml", "--full-host", "compute-full"])
        self.assertEqual(["compute-full"], args.full_host)
        for bad in (["--full-host", "compute2"], ["--full-host", "x", "--full-host", "x"],
                    ["--full-host", "bad host"], ["--hosts", "0"]):
            with self.assertRaises(SystemExit, msg=bad):
                serve.parse_args(["--clouds-yaml", "c.yaml"] + bad)

    def test_disabled_host_names(self):
        args = serve.parse_args(["--clouds-yaml", "c.yaml", "--disabled-host", "compute-disabled",
                                 "--full-host", "compute-full"])
        self.assertEqual(["compute-disabled"], args.disabled_host)
        # A name is taken once, by one kind of extra host, and never by a regular host.
        for bad in (["--disabled-host", "compute1"], ["--disabled-host", "x", "--full-host", "x"],
                    ["--disabled-host", "bad host"]):
            with self.assertRaises(SystemExit, msg=bad):
                serve.parse_args(["--clouds-yaml", "c.yaml"] + bad)


if __name__ == "__main__":
    unittest.main()
