#!/usr/bin/env python3
"""What inspekt-conformance writes, read the way its readers read it: the JUnit file
against a JUnit XML schema (xmllint) and as a CI viewer counts it, reports that keep
stdout to themselves, report paths that cannot be written, a target that cannot be
reached or trusted, and failure output without the build machine's source paths.

usage: reports_test.py CHECK CONFORMANCE MOCK JUNIT_XSD DEVIATIONS_DIR
CHECK: junit-file | junit-stdout | junit-drift | unwritable | whole-or-nothing |
       unreachable | untrusted | no-source-paths
"""
import os
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

check, suite, mock, xsd, deviations = sys.argv[1:6]
clean_env = {k: v for k, v in os.environ.items() if not k.startswith("INSPEKT_")}
failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)


def run(args, env=None, timeout=120):
    return subprocess.run([suite, *args], capture_output=True, text=True, timeout=timeout,
                          env={**clean_env, **(env or {})})


class Mock:
    """The real binary on a free port; stopped with SIGTERM."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([mock, "--port", "0", "--quiet", *args],
                                     stdout=subprocess.PIPE, text=True, env=clean_env)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            sys.exit(f"reports_test: the mock did not start: {line!r}")
        self.url = line.split()[-1]

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def validate_schema(path):
    proc = subprocess.run(["xmllint", "--noout", "--schema", xsd, path], capture_output=True,
                          text=True)
    expect(proc.returncode == 0, f"{path} does not validate against {xsd}: {proc.stderr}")


def viewer_counts(root):
    """As a CI viewer reads a JUnit file: the suites' counts and each case's status."""
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    expect(len(suites) == 1, f"{len(suites)} testsuites")
    statuses = {}
    for suite_element in suites:
        cases = suite_element.findall("testcase")
        seen = {"tests": len(cases), "failures": 0, "errors": 0, "skipped": 0}
        for case in cases:
            status = "passed"
            for kind, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
                if case.find(kind) is not None:
                    status = kind
                    seen[key] += 1
            statuses[case.get("name").split(":")[0]] = (status, case)
        for key, value in seen.items():
            expect(suite_element.get(key) == str(value),
                   f"testsuite {key}=\"{suite_element.get(key)}\" but {value} such testcases")
            expect(root.get(key) == str(value),
                   f"testsuites {key}=\"{root.get(key)}\" but {value} such testcases")
        hostname = suite_element.get("hostname", "")
        expect(hostname and hostname != "tbd", f"placeholder hostname {hostname!r}")
        classnames = {case.get("classname") for case in cases}
        expect(classnames <= {"inspekt-conformance.MUST", "inspekt-conformance.SHOULD",
                              "inspekt-conformance.INFO", "inspekt-conformance.drift"}
               and len(classnames) > 1,
               f"classnames do not group by level: {sorted(classnames)}")
    return statuses


if check == "junit-file":
    # A SHOULD deviation, without --strict: exit 0, and the report shows the failure.
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.xml")
        proc = run(["--fixture-patch", os.path.join(deviations, "no-allow-header.json"),
                    "-r", "junit", "-o", report])
        expect(proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}")
        expect("allow-on-405" in proc.stdout and "FAIL" in proc.stdout,
               "with -o, the verdict table is not on stdout")
        validate_schema(report)
        statuses = viewer_counts(ET.parse(report).getroot())
        status, case = statuses.get("allow-on-405", ("missing", None))
        expect(status == "failure", f"the SHOULD failure allow-on-405 shows as {status}")
        if case is not None:
            expect(case.find("failure").get("type") == "SHOULD", "failure type is not SHOULD")
            expect(case.get("classname") == "inspekt-conformance.SHOULD", "classname")
        expect(statuses.get("401-unknown-key", ("missing",))[0] == "passed", "a pass is not shown")

elif check == "junit-stdout":
    # Against the binary without INSPEKT_EXPIRED_KEY: the expired-key case is skipped.
    with Mock() as target, tempfile.TemporaryDirectory() as tmp:
        proc = run(["--base-url", target.url, "-r", "junit"],
                   env={"INSPEKT_API_KEY": "demo-valid-key"})
        expect(proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}")
        report = os.path.join(tmp, "stdout.xml")
        with open(report, "w") as out:
            out.write(proc.stdout)
        try:
            root = ET.fromstring(proc.stdout)
        except ET.ParseError as e:
            failures.append(f"stdout of -r junit is not XML by itself: {e}: ...{proc.stdout[-300:]!r}")
            root = None
        if root is not None:
            validate_schema(report)
            statuses = viewer_counts(root)
            status, case = statuses.get("401-expired-key", ("missing", None))
            expect(status == "skipped", f"the skipped case 401-expired-key shows as {status}")
            if case is not None and status == "skipped":
                expect("INSPEKT_EXPIRED_KEY" in case.find("skipped").get("message", ""),
                       "the skip does not say why")
        expect("requests sent" in proc.stderr, "the table is not on stderr")

elif check == "junit-drift":
    # A target that answers a login with 201: the drift is in the JUnit report, one
    # testcase per aspect, the differing one skipped (drift never fails a run) with both
    # values; stdout stays the report's, the table and the patch's line go to stderr.
    with Mock("--fixture-patch", os.path.join(deviations, "login-201.json")) as target, \
            tempfile.TemporaryDirectory() as tmp:
        patch = os.path.join(tmp, "patch.json")
        proc = run(["--base-url", target.url, "--drift", "--write-fixture-patch", patch,
                    "-r", "junit"], env={"INSPEKT_API_KEY": "demo-valid-key",
                                         "INSPEKT_EXPIRED_KEY": "demo-expired-key"})
        expect(proc.returncode == 1, f"exit {proc.returncode} (a MUST case fails): {proc.stderr}")
        report = os.path.join(tmp, "stdout.xml")
        with open(report, "w") as out:
            out.write(proc.stdout)
        validate_schema(report)
        root = ET.fromstring(proc.stdout)
        viewer_counts(root)
        cases = {case.get("name"): case for case in root.iter("testcase")}
        case = cases.get("drift success: status")
        skipped = case.find("skipped") if case is not None else None
        expect(skipped is not None, "the drifted aspect 'success: status' is not skipped")
        if skipped is not None:
            message = skipped.get("message", "")
            expect("DRIFT" in message and "200" in message and "201" in message,
                   f"the skip does not name both statuses: {message!r}")
        agrees = cases.get("drift unknown_key: status")
        expect(agrees is not None and len(agrees) and agrees[0].tag == "system-out",
               "an aspect that agrees is not shown as passed")
        expect("aspects compared" in proc.stderr and "fixture patch written" in proc.stderr,
               "the drift table and the patch's line are not on stderr")
        expect(os.path.exists(patch), "no fixture patch written")

elif check == "unwritable":
    for flags in (["-r", "junit", "-o", "/nonexistent/x.xml"],
                  ["--summary-json", "/nonexistent/s.json"]):
        proc = run(flags)
        expect(proc.returncode == 2, f"{flags}: exit {proc.returncode}, expected 2")
        expect(f"cannot write \"{flags[-1]}\"" in proc.stderr, f"{flags}: {proc.stderr!r}")
        expect("requests sent" not in proc.stdout, f"{flags}: cases ran before the error")

elif check == "whole-or-nothing":
    with tempfile.TemporaryDirectory() as tmp:
        report, summary = os.path.join(tmp, "r.xml"), os.path.join(tmp, "s.json")
        with open(report, "w") as out:
            out.write("old")
        proc = run(["-r", "junit", "-o", report, "--summary-json", summary])
        expect(proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}")
        expect(sorted(os.listdir(tmp)) == ["r.xml", "s.json"],
               f"files left beside the reports: {sorted(os.listdir(tmp))}")
        expect(open(report).read().rstrip().endswith("</testsuites>"), "report not whole")
        proc = run(["-r", "junit", "-o", tmp])
        expect(proc.returncode == 2 and "is a directory" in proc.stderr,
               f"-o DIRECTORY: exit {proc.returncode}: {proc.stderr!r}")

elif check == "unreachable":
    with socket.socket() as s:  # a port nothing listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        proc = run(["--base-url", f"http://127.0.0.1:{port}"], env={"INSPEKT_API_KEY": "k"})
    lines = proc.stderr.strip().splitlines()
    expect(proc.returncode == 3, f"closed port: exit {proc.returncode}, expected 3")
    expect(len(lines) == 1 and "[target.unreachable]" in lines[0] and str(port) in lines[0],
           f"closed port: not one clear line: {proc.stderr!r}")
    expect(proc.stdout == "", f"closed port: cases reported: {proc.stdout[:300]!r}")

elif check == "silent":
    with socket.socket() as s:  # listening, never accepting: the kernel completes the
        s.bind(("127.0.0.1", 0))  # handshake, and no byte ever comes back
        s.listen(64)
        port = s.getsockname()[1]
        proc = run(["--base-url", f"http://127.0.0.1:{port}", "--timeout-ms", "300"],
                   env={"INSPEKT_API_KEY": "k"}, timeout=60)
    lines = proc.stderr.strip().splitlines()
    expect(proc.returncode == 3, f"silent: exit {proc.returncode}, expected 3")
    expect(len(lines) == 1 and "[target.silent]" in lines[0] and str(port) in lines[0]
           and "read timeout" in lines[0], f"silent: not one clear line: {proc.stderr!r}")
    expect(proc.stdout == "", f"silent: cases reported: {proc.stdout[:300]!r}")

elif check == "untrusted":
    with Mock("--tls-self-signed") as target:
        proc = run(["--base-url", target.url], env={"INSPEKT_API_KEY": "demo-valid-key"})
    lines = proc.stderr.strip().splitlines()
    expect(proc.returncode == 3, f"untrusted: exit {proc.returncode}, expected 3")
    expect(len(lines) == 1 and "[target.untrusted]" in lines[0] and "--ca-file" in lines[0],
           f"untrusted: not one clear line naming --ca-file: {proc.stderr!r}")
    expect(proc.stdout == "", f"untrusted: cases reported: {proc.stdout[:300]!r}")

elif check == "no-source-paths":
    source_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for reporter in ("console", "compact", "junit", "xml"):
        proc = run(["--fixture-patch", os.path.join(deviations, "unknown-key-400.json"), "-s",
                    "-r", reporter])
        output = proc.stdout + proc.stderr
        expect(proc.returncode == 1, f"{reporter}: a MUST deviation exits {proc.returncode}")
        expect("401-unknown-key" in output, f"{reporter}: the failing case is not named")
        for marker in (source_root, ".cpp:", ".hpp:"):
            expect(marker not in output, f"{reporter}: {marker!r} in the output")
else:
    sys.exit(f"reports_test: no check {check}")

if failures:
    sys.exit(f"reports_test {check}:\n  " + "\n  ".join(failures))
print(f"reports_test {check}: ok")
