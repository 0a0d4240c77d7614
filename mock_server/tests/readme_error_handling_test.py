#!/usr/bin/env python3
"""Runs the curl lines of the README's "Testing your app's error handling" against the
mock (started by scripts/with-mock, INSPEKT_BASE_URL) and checks what each comment above
them names: a status ("429", "200 or 503"), "200 after 2 s" (and no sooner), or
"reset" (curl's exit 56, connection reset, and the error the comment quotes of curl). Prints PASS and exits 0, or says which
line failed."""
import os, re, subprocess, sys, time

readme = open(sys.argv[1], encoding="utf-8").read()
section = readme.split("## Testing your app's error handling", 1)[1].split("\n## ", 1)[0]
block = section.split("```sh\n", 1)[1].split("```", 1)[0]
base = os.environ["INSPEKT_BASE_URL"]

groups, expect = [], None
for line in block.splitlines():
    if line.startswith("# "):
        expect = line[2:]
    elif line.strip():
        groups.append((expect, line))
if len(groups) < 14:
    sys.exit(f"only {len(groups)} lines found in the section")

failures = []
for expect, line in groups:
    command = line.replace("http://127.0.0.1:8080", base)
    start = time.monotonic()
    run = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - start
    statuses = [int(m) for m in re.findall(r"^HTTP/1\.1 (\d{3})", run.stdout, re.M)]
    if expect.startswith("reset"):
        ok = run.returncode == 56 and not statuses
        # What the comment quotes of curl ('curl: "..."') is what curl prints.
        promised = re.search(r'curl: "([^"]+)"', expect)
        ok = ok and (promised is None or promised.group(1) in run.stderr)
    else:
        wanted = [int(n) for n in re.match(r"^(\d{3}(?: or \d{3})*)", expect).group(1).split(" or ")]
        ok = bool(statuses) and statuses[-1] in wanted
        if line.lstrip().startswith("for "):  # the quota: all pass but the last
            ok = ok and all(s == 200 for s in statuses[:-1]) and len(statuses) == 6
        delay = re.search(r"after (\d+) s", expect)
        if delay and "Prefer" not in line:
            ok = ok and elapsed >= int(delay.group(1)) - 0.05
    print(("ok   " if ok else "FAIL ") + f"{expect.split(':')[0]:>12}  {line[:110]}")
    if not ok:
        failures.append(f"{line}\n  expected {expect!r}; statuses {statuses}, exit {run.returncode}, "
                        f"{elapsed:.2f} s; stderr {run.stderr.strip()[:200]!r}")

if failures:
    sys.exit("\n".join(failures))
print("PASS: every line of \"Testing your app's error handling\" answers as its comment says")
