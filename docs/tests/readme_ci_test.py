#!/usr/bin/env python3
"""README's "Asserting in CI with the admin API" against the real mock.

Runs the section's shell block as it stands (with the built mock for
build/bin/inspekt-mock): it must pass. Runs it again with the stand-in app logging in
as another client_id: the assertion must fail, exit 1, print the journal and stop the
mock. Checks that the GitHub Actions workflow (docs/admin-api.md, "In GitHub Actions")
is YAML whose steps start the mock, assert with the shell block's own count line and
print the journal on failure.

usage: readme_ci_test.py README.md ADMIN_API.md INSPEKT_MOCK_BINARY
Prints PASS and exits 0, or says what failed."""
import json, os, re, signal, subprocess, sys, tempfile
import yaml

readme, admin_doc, binary = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])


def section(path, heading):
    text = open(path, encoding="utf-8").read()
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


shell = section(readme, "## Asserting in CI with the admin API").split("```sh\n", 1)[1].split("```", 1)[0]
workflow = yaml.safe_load(section(admin_doc, "## In GitHub Actions").split("```yaml\n", 1)[1]
                          .split("```", 1)[0])
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


# The YAML: the same mock start, the same count line, the journal printed on failure.
steps = workflow["jobs"]["contract"]["steps"]
runs = "\n".join(step.get("run", "") for step in steps)
count_line = next(l for l in shell.splitlines() if "/requests/count" in l)
check("build/bin/inspekt-mock --port 0 > mock.out" in runs, "the YAML starts the mock on a free port")
check(count_line in runs, "the YAML asserts with the shell block's count line")
on_failure = [s for s in steps if s.get("if") == "failure()"]
check(bool(on_failure) and '"$INSPEKT_ADMIN_URL/requests"' in on_failure[0]["run"],
      "the YAML prints the journal when a step failed")
check(count_line.startswith('count="$(curl -s -X POST "$INSPEKT_ADMIN_URL/requests/count" -d '
                            "'{\"client_id\":\"my-app\",\"answer\":\"success\"}'"),
      "the count line asks for client_id my-app and answer success")


def run(script):
    with tempfile.TemporaryDirectory(prefix="inspekt-readme-ci-") as work:
        script = script.replace("build/bin/inspekt-mock", binary)
        proc = subprocess.Popen(["bash", "-e", "-c", script], cwd=work, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=30)
        finally:
            # The block's own trap stops the mock; this only guards a test that hung.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        url = ""
        if os.path.exists(os.path.join(work, "mock.out")):
            url = open(os.path.join(work, "mock.out")).read().strip()
        return proc.returncode, out, err, url


def still_serving(ready_line):
    port = ready_line.rsplit(":", 1)[-1]
    return port.isdigit() and subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "--max-time", "2", f"http://127.0.0.1:{port}/"]).returncode == 0


code, out, err, ready = run(shell)
check(code == 0, f"the shell block passes against the mock (exit {code}; stdout {out[-300:]!r}; "
                 f"stderr {err[-300:]!r})")
check(ready.startswith("listening on http://127.0.0.1:"), f"the mock printed its ready line ({ready!r})")
check(not still_serving(ready), "the block's trap stopped the mock")

app_line = next(l for l in shell.splitlines() if "/api/authenticate" in l)
broken = shell.replace(app_line, app_line.replace('"client_id":"my-app"', '"client_id":"other-app"'))
check(broken != shell, "the stand-in app's login can be changed to another client_id")
code, out, err, ready = run(broken)
check(code == 1, f"with the app logging in as other-app the assertion fails (exit {code})")
check("counted 0" in out, "the failure says what it counted")
journal = out[out.find("{"):] if "{" in out else ""
try:
    entries = json.loads(journal)["requests"]
except (ValueError, KeyError):
    entries = None
check(entries is not None and any(e.get("client_id") == "other-app" for e in entries),
      f"the failure prints the journal, with the app's login in it ({journal[:200]!r})")
check(not still_serving(ready), "the block's trap stopped the mock after the failure too")

if failures:
    sys.exit("readme_ci_test: " + "; ".join(failures))
print("PASS: the README's CI example runs, and fails with the journal printed when it should")
