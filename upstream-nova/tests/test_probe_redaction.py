"""The probe's redaction: what varies between runs must not reach the record."""

import os
import sys
import types
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import probe  # noqa: E402

SERVER = "0f9a1c7e-5b1d-4c3e-9a52-1d2e3f4a5b6c"


def redactor():
    s = types.SimpleNamespace(base_url="http://127.0.0.1:40123", user_id="a" * 32, project_id="b" * 32,
                              name="admin", project_name="demo")
    r = probe.Redactor({"admin": s})
    r.server = SERVER
    return r


class RedactionTest(unittest.TestCase):
    def test_ids_urls_timestamps(self):
        r = redactor()
        self.assertEqual("Instance <server> could not be found.", r.text("Instance %s could not be found." % SERVER))
        self.assertEqual("Instance <missing> is locked", r.text("Instance %s is locked" % probe.MISSING_ID))
        self.assertEqual("<uuid>", r.text("11111111-2222-4333-8444-555555555555"))
        self.assertEqual("req-<uuid>", r.text("req-11111111-2222-4333-8444-555555555555"))
        self.assertEqual("<base>/v2.1/servers/<server>", r.text("http://127.0.0.1:40123/v2.1/servers/" + SERVER))
        self.assertEqual("<timestamp>", r.text("2026-11-25T20:19:18.013498"))
        self.assertEqual("<user:admin>", r.text("a" * 32))
        self.assertEqual({"id": "<id>", "old_instance_type_id": 1, "project_id": "<project:demo>"},
                         r.value({"id": 7, "old_instance_type_id": 1, "project_id": "b" * 32}))

    def test_per_run_server_fields(self):
        r = redactor()
        self.assertEqual({"hostId": "<hostId>", "OS-EXT-SRV-ATTR:instance_name": "<instance-name>", "x": ""},
                         r.value({"hostId": "ab" * 28, "OS-EXT-SRV-ATTR:instance_name": "instance-000000bd", "x": ""}))
        self.assertEqual({"hostId": ""}, r.value({"hostId": ""}), "an empty hostId is meaningful")

    def test_content_length_hidden_only_when_body_embeds_the_base_url(self):
        r = redactor()
        self.assertEqual([["Content-Length", "371"]], r.headers([("Content-Length", "371")]))
        self.assertEqual([["Content-Length", "<varies>"]], r.headers([("Content-Length", "371")], varying_length=True))

    def test_headers_keep_order_and_duplicates(self):
        r = redactor()
        hdrs = [("Vary", "OpenStack-API-Version"), ("Vary", "X-OpenStack-Nova-API-Version"),
                ("Date", "Wed, 25 Nov 2026 20:19:17 GMT"),
                ("x-openstack-request-id", "req-11111111-2222-4333-8444-555555555555")]
        self.assertEqual(
            [["Vary", "OpenStack-API-Version"], ["Vary", "X-OpenStack-Nova-API-Version"], ["Date", "<date>"],
             ["x-openstack-request-id", "req-<uuid>"]],
            r.headers(hdrs),
        )

    def test_scheduler_choice_only_where_no_host_was_honoured(self):
        def outcome():
            return {"server": {"host": "compute2"}, "migrations": [{"dest_compute": "compute2", "dest_node": "compute2"}]}

        at_256 = [("X-OpenStack-Nova-API-Version", "2.56")]
        o = outcome()
        probe.Probe._redact_scheduler_choice(o, at_256, {"migrate": {"host": "compute2"}})
        self.assertEqual("compute2", o["server"]["host"])
        o = outcome()
        probe.Probe._redact_scheduler_choice(o, at_256, {"migrate": None})
        self.assertEqual("<scheduler-choice>", o["server"]["host"])
        self.assertEqual("<scheduler-choice>", o["migrations"][0]["dest_node"])
        o = outcome()
        probe.Probe._redact_scheduler_choice(o, [("X-OpenStack-Nova-API-Version", "2.55")],
                                             {"migrate": {"host": "compute2"}})
        self.assertEqual("<scheduler-choice>", o["server"]["host"], "below 2.56 the host is not read")


if __name__ == "__main__":
    unittest.main()
