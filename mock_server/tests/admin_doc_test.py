#!/usr/bin/env python3
"""Runs the admin API's curl lines of docs/admin-api.md and README.md, as they stand,
against the mock scripts/with-mock started (INSPEKT_BASE_URL), and checks each answers
2xx with a JSON body. Lines that need a token or a cluster are left out. The health
example of the endpoint table counts the keys the mock (default fixtures) says; no line
signals a mock found by name (pidof, pkill, killall: with two mocks running they pick
both, or fail).

usage: admin_doc_test.py DOC.md [DOC.md...]
"""
import json
import os
import re
import subprocess
import sys
import urllib.request

base = os.environ["INSPEKT_BASE_URL"]
failures = []
ran = 0
for doc in sys.argv[1:]:
    with open(doc, encoding="utf-8") as f:
        lines = [l.strip() for l in f if l.strip().startswith("curl ")]
    for line in lines:
        if "127.0.0.1:8080/__admin" not in line or "$(" in line or "$ip" in line:
            continue
        command = line.replace("http://127.0.0.1:8080", base) + " -w '\\n%{http_code}'"
        run = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=10)
        body, _, code = run.stdout.rpartition("\n")
        ok = run.returncode == 0 and code.startswith("2")
        try:
            json.loads(body)
        except ValueError:
            ok = False
        ran += 1
        print(("ok   " if ok else "FAIL ") + f"{code:>4}  {line[:110]}")
        if not ok:
            failures.append(f"{line}\n  status {code}, body {body[:200]!r}")
for doc in sys.argv[1:]:
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    for line in text.splitlines():
        if re.search(r"\b(pidof|pkill|killall)\b.*inspekt-mock", line) and not line.lstrip().startswith("#"):
            failures.append(f"{os.path.basename(doc)}: signals a mock found by name: {line.strip()}")
    health = re.search(r"^\| `GET /__admin/health` \| 200 `(\{.*?\})` \|", text, re.M)
    if health:
        with urllib.request.urlopen(base + "/__admin/health", timeout=10) as answer:
            said = json.load(answer)
        shown = json.loads(health.group(1))
        if shown.get("keys") != said.get("keys") or set(shown) != set(said):
            failures.append(f"{os.path.basename(doc)}: the health example {health.group(1)} is not "
                            f"what the mock answers: {json.dumps(said)}")
        ran += 1
if ran == 0:
    sys.exit("admin_doc_test: no admin curl line found")
if failures:
    sys.exit("\n".join(failures))
print(f"PASS: {ran} admin API lines of the documentation answer 2xx with JSON")
