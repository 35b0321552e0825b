"""clouds.yaml: the five clouds, their scopes, and a private file."""

import os
import stat
import tempfile
import unittest

import yaml

from upstream_nova import clouds_yaml, identities


class CloudsYamlTest(unittest.TestCase):
    def test_clouds_and_file_mode(self):
        _, users = identities.seed()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "clouds.yaml")
            clouds_yaml.write(path, "http://127.0.0.1:1/identity/v3", users)
            self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
            with open(path) as f:
                clouds = yaml.safe_load(f)["clouds"]
        self.assertEqual(
            ["upstream-admin", "upstream-manager", "upstream-member", "upstream-reader", "upstream-other"],
            list(clouds),
        )
        self.assertEqual("other", clouds["upstream-other"]["auth"]["project_name"])
        self.assertEqual("demo", clouds["upstream-reader"]["auth"]["project_name"])
        by_name = {u.name: u for u in users}
        self.assertEqual(by_name["member"].password, clouds["upstream-member"]["auth"]["password"])
        self.assertEqual("http://127.0.0.1:1/identity/v3", clouds["upstream-admin"]["auth"]["auth_url"])

    def test_passwords_differ_per_run_and_user(self):
        a = [u.password for u in identities.seed()[1]]
        b = [u.password for u in identities.seed()[1]]
        self.assertEqual(len(a), len(set(a)))
        self.assertNotEqual(a, b)


if __name__ == "__main__":
    unittest.main()
