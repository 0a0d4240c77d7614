#!/usr/bin/env python3
"""Proof of the suite's power: run inspekt-conformance against a deliberately broken
mock (a deviation) and check that it fails, on the case that names the deviation, at
the deviation's level.

usage: deviation_test.py CONFORMANCE_BINARY DEVIATION.json
       deviation_test.py CONFORMANCE_BINARY --clean   (the clean mock must pass, strictly)
"""
import json
import subprocess
import sys
import tempfile


def run(binary, args):
    with tempfile.NamedTemporaryFile(suffix=".json") as summary:
        proc = subprocess.run([binary, "--summary-json", summary.name, "-r", "compact", *args],
                              capture_output=True, text=True, timeout=60)
        verdicts = json.load(open(summary.name))["cases"]
    return proc, {c["id"]: c for c in verdicts}


def fail(message, proc):
    print(proc.stdout[-4000:])
    print(proc.stderr[-2000:], file=sys.stderr)
    print("deviation_test: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    binary, target = sys.argv[1], sys.argv[2]
    if target == "--clean":
        proc, cases = run(binary, ["--strict"])
        failed = sorted(i for i, c in cases.items() if c["verdict"] == "FAIL")
        if proc.returncode != 0 or failed:
            fail(f"the clean mock fails {failed} (exit {proc.returncode})", proc)
        skipped = sorted(i for i, c in cases.items() if c["verdict"] == "skip")
        if skipped:
            fail(f"against the clean in-process mock nothing may be skipped: {skipped}", proc)
        print(f"clean mock: {len(cases)} cases, none failed")
        return

    deviation = json.load(open(target))
    level, breaks = deviation["level"], deviation["breaks"]
    proc, cases = run(binary, ["--fixture-patch", target])
    failed = sorted(i for i, c in cases.items() if c["verdict"] == "FAIL")
    for case_id in breaks:
        if case_id not in cases:
            fail(f"no case {case_id} in the suite", proc)
        if cases[case_id]["verdict"] != "FAIL":
            fail(f"{deviation['description']}: case {case_id} did not fail "
                 f"(verdict {cases[case_id]['verdict']}, observed: {cases[case_id]['observed']})",
                 proc)
        if level == "SHOULD" and cases[case_id]["level"] != "SHOULD":
            fail(f"case {case_id} is {cases[case_id]['level']}; a SHOULD deviation breaks "
                 "SHOULD cases only", proc)
    if level == "MUST" and not any(cases[i]["level"] == "MUST" for i in breaks):
        fail("a MUST deviation must name at least one MUST case it breaks", proc)
    must_failed = [i for i in failed if cases[i]["level"] == "MUST"]
    if level == "MUST":
        if proc.returncode != 1:
            fail(f"a MUST deviation must make the run exit 1, got {proc.returncode}", proc)
    else:
        if must_failed:
            fail(f"a SHOULD deviation failed MUST cases {must_failed}", proc)
        if proc.returncode != 0:
            fail(f"SHOULD failures alone must exit 0 without --strict, got {proc.returncode}", proc)
        strict, _ = run(binary, ["--strict", "--fixture-patch", target])
        if strict.returncode != 1:
            fail(f"with --strict a SHOULD deviation must exit 1, got {strict.returncode}", strict)
    print(f"{deviation['description']}: caught by {', '.join(breaks)} ({level}); "
          f"all failures: {', '.join(failed)}")


if __name__ == "__main__":
    main()
