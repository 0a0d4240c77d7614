#!/usr/bin/env python3
"""Runs the lines of the README's "Testing your app's re-login", as they stand, in one
shell (login() sets S and T for the lines after it), against the mock scripts/with-mock
started (INSPEKT_BASE_URL), and checks what each line's comment names: the status of
its last answer, its {"message": ...} body, and for a 401 RFC 6750's challenge.
Then asks the journal whether the refusals had the reasons the comments name, and what
it kept of the upload (the parts, never the bytes).

usage: readme_relogin_test.py README.md [--cacert CA.pem]   (the CA for an https mock)
Prints PASS and exits 0, or says which line failed."""
import json
import os
import re
import subprocess
import sys
import urllib.request
import ssl

readme = open(sys.argv[1], encoding="utf-8").read()
cacert = sys.argv[sys.argv.index("--cacert") + 1] if "--cacert" in sys.argv else None
base = os.environ["INSPEKT_BASE_URL"]

section = readme.split("## Testing your app's re-login", 1)[1].split("\n## ", 1)[0]
block = section.split("```sh\n", 1)[1].split("```", 1)[0]

# Each line, with what its trailing comment promises ("# 200 {...}", "# 401 reason {...}").
lines = [line for line in block.splitlines() if line.strip()]
promised = [re.search(r"  # (\d{3})( [a-z_]+)? (\{\"message\": \"[^\"]*\"\})", line) for line in lines]
if len(lines) != 8 or sum(p is not None for p in promised) != 4:
    sys.exit(f"the section's block changed shape: {len(lines)} lines")


def localised(line):
    line = line.replace("http://127.0.0.1:8080", base)
    if cacert:
        line = re.sub(r"\bcurl -", f"curl --cacert {cacert} -", line)
    return line


script = "set -u\n"
for i, line in enumerate(lines):
    script += f"printf '\\n@@{i}@@\\n'\n" + localised(line) + "\n"
run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
if run.returncode != 0:
    sys.exit(f"the block failed (exit {run.returncode}): {run.stderr.strip()[:300]}")
outputs = re.split(r"\n@@\d+@@\n", run.stdout)[1:]

failures = []
for line, promise, output in zip(lines, promised, outputs):
    if promise is None:
        continue
    status, message = promise.group(1), json.loads(promise.group(3))
    answers = output.split("HTTP/1.1 ")[1:]
    ok = bool(answers)
    if ok:
        head, _, body = answers[-1].partition("\n\n")  # text=True turned CRLF into LF
        ok = head.startswith(status + " ") and json.loads(body) == message
        if status == "401":
            ok = ok and 'WWW-Authenticate: Bearer error="invalid_token"' in head
    print(("ok   " if ok else "FAIL ") + line[:100])
    if not ok:
        failures.append(f"{line}\n  got {output[-400:]!r}")

context = ssl.create_default_context(cafile=cacert) if cacert else None


def admin(path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(base + "/__admin" + path, data=data, timeout=10,
                                context=context) as answer:
        return json.load(answer)


for reason in ("token_expired", "token_revoked"):
    counted = admin("/requests/count", {"path": "/api/upload", "reason": reason})["count"]
    if counted != 1:
        failures.append(f"the journal counts {counted} uploads refused with {reason}, not 1")
passed = admin("/requests/count", {"path": "/api/upload", "answer": "upload_accepted"})["count"]
if passed != 2:
    failures.append(f"the journal counts {passed} uploads passed, not 2")
uploads = [e for e in admin("/requests?limit=20")["requests"] if e["path"] == "/api/upload"]
for entry in uploads:
    names = [(p["name"], p["filename"], p["media_type"], p["size"]) for p in entry.get("parts", [])]
    if len(names) != 2 or names[0][0] != "session" or names[1] != ("file", "car.jpg", "image/jpeg", 4):
        failures.append(f"journal entry {entry['id']}: parts {names}")
    if "eyJ" in json.dumps(entry):
        failures.append(f"journal entry {entry['id']} holds a token")

if failures:
    sys.exit("\n".join(failures))
print("PASS: every line of \"Testing your app's re-login\" answers as its comment says")
