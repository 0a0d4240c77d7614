#!/usr/bin/env python3
"""Runs the lines of the README's "Testing your app's re-login", as they stand, in one
shell (the log-in lines set S and T for the next), against the mock scripts/with-mock
started (INSPEKT_BASE_URL), and checks what each comment names: the status of the
group's last answer, its {"message": ...} body, and for a 401 RFC 6750's challenge.
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

groups = []  # (comment, [lines])
for line in block.splitlines():
    if line.startswith("# "):
        groups.append((line[2:], []))
    elif line.strip():
        groups[-1][1].append(line)
if len(groups) != 5 or sum(len(lines) for _, lines in groups) != 8:
    sys.exit(f"the section's block changed shape: {len(groups)} groups")


def localised(line):
    line = line.replace("http://127.0.0.1:8080", base)
    if cacert:
        line = re.sub(r"\bcurl -", f"curl --cacert {cacert} -", line)
    return line


script = "set -u\n"
for i, (_, lines) in enumerate(groups):
    script += f"printf '\\n@@{i}@@\\n'\n" + "\n".join(localised(l) for l in lines) + "\n"
run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
if run.returncode != 0:
    sys.exit(f"the block failed (exit {run.returncode}): {run.stderr.strip()[:300]}")
outputs = re.split(r"\n@@\d+@@\n", run.stdout)[1:]

failures = []
for (comment, lines), output in zip(groups, outputs):
    wanted = re.match(r"(?:log in again, then )?(\d{3})", comment)
    if not wanted:  # the first log-in: S and T must be set for the lines after it
        continue
    answers = output.split("HTTP/1.1 ")[1:]
    ok = bool(answers)
    if ok:
        last = answers[-1]
        head, _, body = last.partition("\n\n")  # text=True turned CRLF into LF
        ok = head.startswith(wanted.group(1) + " ")
        message = re.search(r"(\{\"message\": [^}]*\})", comment)
        ok = ok and message is not None and json.loads(body) == json.loads(message.group(1))
        if wanted.group(1) == "401":
            ok = ok and 'WWW-Authenticate: Bearer error="invalid_token"' in head
    print(("ok   " if ok else "FAIL ") + comment[:100])
    if not ok:
        failures.append(f"{comment}\n  got {output[-400:]!r}")

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
