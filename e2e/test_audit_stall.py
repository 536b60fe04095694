"""stdout is a pipe to the container runtime; when its reader stops, meshward keeps answering:
each response waits for its audit record at most --audit-wait, the records queue up to
--audit-queue, the rest are dropped and counted, and every queued record arrives once the pipe
is read again."""

import concurrent.futures
import unittest

import support

QUEUE = 50
REQUESTS = 600  # records of ~1 KiB: the 64 KiB pipe is full after about a tenth of them


def backlog_and_dropped(server):
    samples = server.metrics()
    return (support.metric_sum(samples, "meshward_audit_backlog", destination="stdout"),
            support.metric_sum(samples, "meshward_audit_dropped_total", destination="stdout"))


class AuditStallTest(support.ServerTestCase):
    def test_a_stalled_stdout_delays_no_answer_and_loses_nothing_silently(self):
        server = self.start_server(audit_log=False, stdout_pipe=True,
                                   extra_args=["--audit-wait", "50ms", "--audit-queue", str(QUEUE)])
        pod = support.load_json("objects/pod-proxy-limit-64mi.json")  # denied: a record with a finding
        uids = [f"stall-{i:04d}" for i in range(REQUESTS)]

        def admit(uid):
            return server.admit(support.review(pod, uid=uid))["uid"]

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            answered = list(pool.map(admit, uids, timeout=support.REQUEST_SECONDS * 4))
        self.assertEqual(answered, uids, "every request answered while nobody read stdout")

        backlog, dropped = backlog_and_dropped(server)
        self.assertEqual(backlog, QUEUE, server.diagnostics())
        self.assertGreater(dropped, 0)
        self.assertIn("dropping audit records", server.stderr())

        records = support.read_pipe_lines(server.process.stdout, REQUESTS - dropped, seconds=30)
        self.assertEqual(len(records), REQUESTS - dropped, "every record not dropped arrives, none twice")
        self.assertEqual(len({record["uid"] for record in records}), len(records))
        self.assertTrue(set(record["uid"] for record in records) <= set(uids))
        support.wait_until(lambda: backlog_and_dropped(server) == (0, dropped), 30, "the backlog drained")
        self.assertRegex(server.stderr(), rf"caught up; {int(dropped)} records were dropped")
        self.assertExitsCleanly(server)


if __name__ == "__main__":
    unittest.main()
