"""Audit destinations failing while meshward serves: a full disk (a 64 KiB tmpfs in a private
mount namespace), the file removed or renamed away, its directory made read-only, stdout's reader
gone. In each, decisions are still answered (fail open), except a break-glass bypass whose record
reached no destination, which is refused (fail closed); every record that was not written is
counted (answered == records written + meshward_audit_write_errors_total + dropped), and writing
resumes without a restart when the fault goes away. (A stalled stdout: test_audit_stall.)"""

import copy
import json
import os
import unittest

import support

DENIED_POD = "objects/pod-proxy-limit-64mi.json"
ALLOWED_POD = "objects/pod-proxy-limit-512mi.json"
UNAUDITED = "the break-glass bypass could not be audited"
NOBODY = 65534
TMPFS_BYTES = 64 * 1024
FILLER_BYTES = 56 * 1024  # leaves two pages: a handful of records, then ENOSPC


def with_break_glass(obj):
    obj = copy.deepcopy(obj)
    obj["metadata"].setdefault("labels", {})["meshward.dev/break-glass"] = "true"
    obj["metadata"].setdefault("annotations", {})["meshward.dev/break-glass-reason"] = "INC-0042: audit fault drill"
    return obj


def json_lines(path):
    """The records of an audit file; fails on a line that is not one JSON object or a torn end."""
    with open(path, "rb") as source:
        data = source.read()
    if data and not data.endswith(b"\n"):
        raise AssertionError(f"{path} ends in a torn line: {data[-80:]!r}")
    return [json.loads(line) for line in data.split(b"\n") if line]


class WrappedServer(support.MeshwardServer):
    """meshward started behind a command prefix (another mount namespace, another user)."""

    def __init__(self, work_dir, wrap, **options):
        super().__init__(work_dir, **options)
        self.wrap = wrap

    def argv(self):
        return self.wrap(super().argv())


class AuditFaultsTest(support.ServerTestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root: a tmpfs in a private mount namespace, files of another user")
        self.answered = 0

    def start(self, name, wrap=lambda argv: argv, audit_file=None, **options):
        work_dir = os.path.join(self.tmp, name)
        os.makedirs(work_dir, exist_ok=True)
        extra = ["--audit-log", audit_file] if audit_file else []
        server = WrappedServer(work_dir, wrap, audit_log=False, extra_args=extra, **options)
        self.addCleanup(server.kill)
        return server.start()

    def admit(self, server, obj, **review_options):
        response = server.admit(support.review(obj, **review_options))
        self.answered += 1
        return response

    def admit_denied_pods(self, server, count):
        pod = support.load_json(DENIED_POD)
        for _ in range(count):
            self.assertFalse(self.admit(server, pod)["allowed"])

    def counted(self, server, destination):
        """Records the destination did not write, by its counters."""
        samples = server.metrics()
        return (support.metric_sum(samples, "meshward_audit_write_errors_total", destination=destination) +
                support.metric_sum(samples, "meshward_audit_dropped_total", destination=destination))

    def assertNothingLostSilently(self, server, destination, written):
        self.assertEqual(self.answered, written + self.counted(server, destination),
                         f"answered == written + counted for {destination}{server.diagnostics()}")

    def assertDecisionsDuringAFaultNoDestinationSurvives(self, server):
        """Normal requests answered by their rules; a break-glass bypass refused, counted, logged."""
        self.assertFalse(self.admit(server, support.load_json(DENIED_POD))["allowed"])
        self.assertTrue(self.admit(server, support.load_json(ALLOWED_POD))["allowed"])
        document = support.review(with_break_glass(support.load_json(DENIED_POD)), user="oncall-admin",
                                  groups=support.ADMIN_GROUPS)
        response = server.admit(document)
        self.answered += 1
        self.assertFalse(response["allowed"], response)
        self.assertEqual(response["status"]["code"], 403, response)
        self.assertIn(UNAUDITED, response["status"]["message"])
        self.assertIn("[sidecar-memory]", response["status"]["message"], "what the bypass would have lifted")
        uid = document["request"]["uid"]
        samples = server.metrics()
        self.assertEqual(support.metric_sum(samples, "meshward_break_glass_unaudited_total"), 1)
        self.assertEqual(support.metric_sum(samples, "meshward_break_glass_total"), 0)
        self.assertRegex(server.stderr(), rf"break-glass bypass by 'oncall-admin' refused .*\(uid {uid}\)")

    # -- the faults ---------------------------------------------------------------------------------

    def test_a_full_disk_fails_records_whole_and_recovers_when_space_returns(self):
        volume = os.path.join(self.tmp, "full-disk", "volume")
        os.makedirs(volume)
        mount_first = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                       f'mount -t tmpfs -o size={TMPFS_BYTES} tmpfs "$0" && exec "$@"', volume]
        server = self.start("full-disk", wrap=lambda argv: mount_first + argv,
                            audit_file=os.path.join(volume, "audit.log"))
        inside = f"/proc/{server.process.pid}/root{volume}"  # the tmpfs as meshward sees it
        audit_file = os.path.join(inside, "audit.log")
        filler = os.path.join(inside, "filler")
        with open(filler, "wb") as out:
            out.write(b"\0" * FILLER_BYTES)

        for _ in range(100):
            self.admit_denied_pods(server, 1)
            if self.counted(server, "file") > 0:
                break
        self.assertGreater(self.counted(server, "file"), 0, f"the tmpfs never filled{server.diagnostics()}")
        self.assertIn("cannot write audit records (No space left on device)", server.stderr())
        self.admit_denied_pods(server, 3)
        self.assertDecisionsDuringAFaultNoDestinationSurvives(server)
        self.assertIn("reached no audit destination (file: write failed); here it is: {", server.stderr())
        self.assertNothingLostSilently(server, "file", len(json_lines(audit_file)))

        os.remove(filler)
        errors = self.counted(server, "file")
        before = len(json_lines(audit_file))
        self.admit_denied_pods(server, 5)
        self.assertEqual(len(json_lines(audit_file)), before + 5, "written again, without a restart")
        self.assertEqual(self.counted(server, "file"), errors)
        self.assertIn("audit file: writable again", server.stderr())
        self.assertNothingLostSilently(server, "file", len(json_lines(audit_file)))
        self.assertExitsCleanly(server)

    def test_a_removed_file_is_created_again_for_the_next_records(self):
        server = self.start("removed", audit_file=os.path.join(self.tmp, "removed", "audit.log"))
        audit_file = os.path.join(server.work_dir, "audit.log")
        self.admit_denied_pods(server, 3)
        earlier = json_lines(audit_file)
        os.remove(audit_file)
        self.admit_denied_pods(server, 4)
        self.assertEqual(len(json_lines(audit_file)), 4, "the records after the removal, in a new file")
        self.assertIn("audit.log is gone (removed, or renamed by a rotation)", server.stderr())
        self.assertNothingLostSilently(server, "file", len(earlier) + 4)
        self.assertEqual(self.counted(server, "file"), 0)
        self.assertExitsCleanly(server)

    def test_a_file_rotated_away_keeps_its_records_and_a_new_file_takes_the_rest(self):
        server = self.start("rotated", audit_file=os.path.join(self.tmp, "rotated", "audit.log"))
        audit_file = os.path.join(server.work_dir, "audit.log")
        self.admit_denied_pods(server, 3)
        rotated = audit_file + "-20260101"
        os.rename(audit_file, rotated)  # what logrotate does without copytruncate
        self.admit_denied_pods(server, 2)
        self.assertEqual(len(json_lines(rotated)), 3)
        self.assertEqual(len(json_lines(audit_file)), 2)
        self.assertIn("audit.log is gone (removed, or renamed by a rotation)", server.stderr())
        self.assertNothingLostSilently(server, "file", 5)
        self.assertExitsCleanly(server)

    def test_a_read_only_directory_fails_records_it_cannot_create_and_recovers_once_writable(self):
        work_dir = os.path.join(self.tmp, "read-only")
        volume = os.path.join(work_dir, "volume")
        os.makedirs(volume)
        os.chmod(self.tmp, 0o711)  # meshward runs as nobody: it must reach its folders
        for path in (work_dir, volume):
            os.chown(path, NOBODY, NOBODY)
        as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        server = self.start("read-only", wrap=lambda argv: as_nobody + argv,
                            audit_file=os.path.join(volume, "audit.log"))
        audit_file = os.path.join(volume, "audit.log")
        self.admit_denied_pods(server, 2)
        os.chmod(volume, 0o555)
        self.admit_denied_pods(server, 2)
        self.assertEqual(self.counted(server, "file"), 0, "the open file is still writable")
        before_removal = len(json_lines(audit_file))
        os.remove(audit_file)  # root may; nobody cannot create it again
        self.admit_denied_pods(server, 6)
        self.assertEqual(self.counted(server, "file"), 6)
        self.assertEqual(server.stderr().count(f"cannot open {audit_file}: Permission denied"), 1,
                         "logged once, not once per record")

        os.chmod(volume, 0o755)
        self.admit_denied_pods(server, 3)
        self.assertEqual(len(json_lines(audit_file)), 3, "created again without a restart")
        self.assertIn("is open again after 6 failed attempts", server.stderr())
        self.assertNothingLostSilently(server, "file", before_removal + 3)
        self.assertExitsCleanly(server)

    def test_a_closed_stdout_is_counted_and_decisions_are_still_answered(self):
        server = self.start("stdout-closed", stdout_pipe=True)
        self.admit_denied_pods(server, 3)
        written = len(support.read_pipe_lines(server.process.stdout, 3, seconds=30))
        self.assertEqual(written, 3)
        server.process.stdout.close()  # the log agent is gone: EPIPE from now on
        self.admit_denied_pods(server, 4)
        self.assertEqual(self.counted(server, "stdout"), 4)
        self.assertIn("audit stdout: cannot write audit records (Broken pipe)", server.stderr())
        self.assertDecisionsDuringAFaultNoDestinationSurvives(server)
        self.assertNothingLostSilently(server, "stdout", written)
        self.assertExitsCleanly(server)


if __name__ == "__main__":
    unittest.main()
