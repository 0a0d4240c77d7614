#!/usr/bin/env python3
"""Proof of the suite's power: run inspekt-conformance against a deliberately broken
mock (a deviation) and check that it fails on exactly the cases that name the
deviation ("breaks"), at the deviation's level.

usage: deviation_test.py CONFORMANCE_BINARY DEVIATION.json
       deviation_test.py CONFORMANCE_BINARY --clean   (the clean mock must pass, strictly)
       deviation_test.py --classes CONFORMANCE_BINARY DEVIATIONS_DIR
           (every class of the request model has a deviation that names it in "classes")
       deviation_test.py --matrix DEVIATIONS_DIR [--write]
           (the matrix in DEVIATIONS_DIR/README.md is the one the files give; --write
           rewrites it)
       deviation_test.py --live-set CONFORMANCE_BINARY DEVIATIONS_DIR TABLE_CPP [--write]
           (the live set in TABLE_CPP is the one the corpus gives: the fewest requests,
           by greedy set cover, whose cases catch every deviation; --write rewrites it)
"""
import glob
import json
import os
import subprocess
import sys
import tempfile


def run(binary, args):
    with tempfile.NamedTemporaryFile(suffix=".json") as summary:
        proc = subprocess.run([binary, "--summary-json", summary.name, "-r", "compact", *args],
                              capture_output=True, text=True, timeout=60)
        verdicts = json.load(open(summary.name))["cases"]
    return proc, {c["id"]: c for c in verdicts}


def model_classes(binary):
    """The request model's classes: each one's covering case and every case with a
    request in it (--list --coverage -r json)."""
    proc = subprocess.run([binary, "--list", "--coverage", "-r", "json"], capture_output=True,
                          text=True, timeout=60)
    if proc.returncode != 0:
        sys.exit("deviation_test: a class of the model has no covering case:\n" + proc.stdout)
    return {c["class"]: c for c in json.loads(proc.stdout)["classes"]}


def check_classes(binary, directory):
    classes = model_classes(binary)
    proven = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        for name in json.load(open(path)).get("classes", []):
            if name not in classes:
                sys.exit(f"deviation_test: {os.path.basename(path)} names a class the model "
                         f"does not have: {name} (--list --coverage lists them)")
            proven.setdefault(name, []).append(os.path.basename(path))
    missing = [name for name in classes if name not in proven]
    if missing:
        sys.exit("deviation_test: no deviation in " + directory + " proves these classes of "
                 "the model (a server broken in that class alone, naming it in \"classes\"): "
                 + ", ".join(missing))
    print(f"every one of the model's {len(classes)} classes has a deviation that fails its case")


def check_named_classes(binary, deviation, cases, proc):
    """A deviation that names classes fails each one's covering case at MUST, and no
    generated case whose request is in none of them: it breaks those classes alone."""
    classes = model_classes(binary)
    model_cases = set()
    for c in classes.values():
        model_cases.update(c["cases_in_class"])
    allowed = set()
    for name in deviation["classes"]:
        if name not in classes:
            fail(f"no class {name} in the model (--list --coverage lists them)", proc)
        covering = classes[name]["case"]
        if cases[covering]["verdict"] != "FAIL" or cases[covering]["level"] != "MUST":
            fail(f"{deviation['description']}: the case of class {name}, {covering}, does not "
                 f"fail at MUST (verdict {cases[covering]['verdict']} at "
                 f"{cases[covering]['level']}: {cases[covering]['observed']})", proc)
        allowed.update(classes[name]["cases_in_class"])
    beyond = sorted(i for i, c in cases.items()
                    if c["verdict"] == "FAIL" and i in model_cases and i not in allowed)
    if beyond:
        fail(f"{deviation['description']}: fails generated cases outside its classes "
             f"{deviation['classes']}: {beyond}", proc)


def fail(message, proc):
    print(proc.stdout[-4000:])
    print(proc.stderr[-2000:], file=sys.stderr)
    print("deviation_test: " + message, file=sys.stderr)
    sys.exit(1)


def matrix(directory):
    rows = ["| deviation | level | classes it proves | cases that fail, exactly |",
            "| --- | --- | --- | --- |"]
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        d = json.load(open(path))
        name = os.path.basename(path)
        rows.append(f"| [`{name}`]({name}): {d['description']} | {d['level']} | "
                    + ", ".join(f"`{c}`" for c in d.get("classes", [])) + " | "
                    + ", ".join(f"`{b}`" for b in d["breaks"]) + " |")
    return "\n".join(rows) + "\n"


def check_matrix(directory, write):
    readme = os.path.join(directory, "README.md")
    text = open(readme).read()
    begin, end = "<!-- matrix: generated by tests/deviation_test.py --matrix -->\n", "<!-- /matrix -->"
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    want = head + begin + matrix(directory) + end + tail
    if write:
        open(readme, "w").write(want)
    elif want != text:
        sys.exit("deviation_test: the matrix in README.md is not the one the deviations give; "
                 "run: conformance/tests/deviation_test.py --matrix conformance/deviations --write")
    print("the deviation matrix in README.md matches the files")


LIVE_BUDGET = 64  # live_max_requests in conformance/src/run_plan.hpp


def live_set(binary, directory):
    """The greedy set cover: deviations are the universe, each live-eligible case covers
    the deviations it fails under, and costs the requests it adds to those chosen."""
    caught_by = {}   # case id -> set of deviations
    requests_of = {}
    eligible = set()
    unreachable = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        name = os.path.basename(path)
        deviation = json.load(open(path))
        if "not_live" in deviation:
            # Left out of the cover on purpose (its reason says why); its own test holds
            # that the live set does not catch it either.
            unreachable[name] = deviation["not_live"]
            continue
        _, cases = run(binary, ["--fixture-patch", path])
        failing = [i for i, c in cases.items() if c["verdict"] == "FAIL" and c["live_eligible"]]
        for i, c in cases.items():
            requests_of[i] = c["requests"]
            if c["live_eligible"]:
                eligible.add(i)
        if not failing:
            unreachable[name] = ""
        for i in failing:
            caught_by.setdefault(i, set()).add(name)
    uncovered = set().union(*caught_by.values()) if caught_by else set()
    chosen = []
    while uncovered:
        def score(case_id):
            gain = len(caught_by.get(case_id, set()) & uncovered)
            cost = len([r for r in requests_of[case_id] if r not in chosen])
            return (gain / cost if cost else float("inf")) if gain else -1, gain, -cost, case_id
        best = max(sorted(eligible), key=score)
        chosen += [r for r in requests_of[best] if r not in chosen]
        uncovered -= caught_by[best]
    return chosen, unreachable


def table_text(requests):
    lines = "".join(f'      "{r}",\n' for r in requests)
    return ("// Generated by conformance/tests/deviation_test.py --live-set --write from\n"
            "// conformance/deviations/: do not edit.\n"
            '#include "live_set.hpp"\n\n'
            "namespace inspekt::conformance {\n\n"
            "const std::vector<std::string> &live_set_requests() {\n"
            "  // The ids as the corpus gives them, one a line, however long.\n"
            "  // clang-format off\n"
            "  static const std::vector<std::string> ids{\n" + lines + "  };\n"
            "  // clang-format on\n"
            "  return ids;\n}\n\n} // namespace inspekt::conformance\n")


def check_live_set(binary, directory, table, write):
    chosen, unreachable = live_set(binary, directory)
    for name, reason in unreachable.items():
        if not reason:
            sys.exit(f"deviation_test: {name} fails no case a live run may send; say why in "
                     "its \"not_live\" field, or add a case that catches it safely")
    if len(chosen) > LIVE_BUDGET:
        sys.exit(f"deviation_test: the live set takes {len(chosen)} requests, over the live "
                 f"budget of {LIVE_BUDGET}")
    want = table_text(chosen)
    if write:
        open(table, "w").write(want)
    elif open(table).read() != want:
        sys.exit("deviation_test: the live set in live_set_table.cpp is not the one the corpus "
                 "gives; run: conformance/tests/deviation_test.py --live-set "
                 "build/bin/inspekt-conformance conformance/deviations "
                 "conformance/src/live_set_table.cpp --write")
    print(f"the live set: {len(chosen)} requests catch every deviation"
          + (f" but {len(unreachable)} (not live: see their not_live)" if unreachable else ""))


def main():
    if sys.argv[1] == "--matrix":
        check_matrix(sys.argv[2], "--write" in sys.argv)
        return
    if sys.argv[1] == "--classes":
        check_classes(sys.argv[2], sys.argv[3])
        return
    if sys.argv[1] == "--live-set":
        check_live_set(sys.argv[2], sys.argv[3], sys.argv[4], "--write" in sys.argv)
        return
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
    # Exactly the cases that name it: a case failing beyond them is either a case that
    # is not precise (it fails for a reason it does not name) or a list to complete.
    if set(failed) != set(breaks):
        fail(f"{deviation['description']}: failed {failed}, but breaks names {sorted(breaks)}",
             proc)
    if level == "MUST" and not any(cases[i]["level"] == "MUST" for i in breaks):
        fail("a MUST deviation must name at least one MUST case it breaks", proc)
    if "classes" in deviation:
        check_named_classes(binary, deviation, cases, proc)
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
    # The live set catches it too: what a --live run sends, against the same broken mock.
    live, live_cases = run(binary, ["--fixture-patch", target, "[live]"])
    live_failed = sorted(i for i, c in live_cases.items() if c["verdict"] == "FAIL")
    if "not_live" in deviation:
        if live_failed:
            fail(f"{deviation['description']}: the live set catches it ({live_failed}); drop "
                 "its not_live", live)
    elif not live_failed:
        fail(f"{deviation['description']}: the live set does not catch it", live)
    print(f"{deviation['description']}: caught by {', '.join(breaks)} ({level}); "
          f"all failures: {', '.join(failed)}")


if __name__ == "__main__":
    main()
