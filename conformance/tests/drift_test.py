#!/usr/bin/env python3
"""Drift end to end. A stand-in for the live service: the mock over HTTPS
(self-signed, loopback) with a deliberately different fixture set
(tests/data/drift-standin: other message texts and error field names, other lifetimes,
algorithm and claims, extra headers, another session shape, distinctive values).

1. `inspekt-conformance --live --drift --write-fixture-patch` against it, with the
   embedded fixtures: the drift list names each difference, within the live budget.
2. Privacy: no key, secret, token, session id, cookie or identifying claim value of the
   stand-in in any output (console, stderr, summary, JUnit, patch).
3. The round trip: the same target with `--fixture-patch PATCH` finds no drift but the
   one aspect the format cannot express (a null member), which the first run marks "not
   patchable"; and a mock started with `inspekt-mock --fixture-patch PATCH`, compared
   with the stand-in's fixtures, finds the same.

4. Against the in-process mock, with its own fixtures, nothing drifts.
5. A target that answers garbage (random bytes; an HTTP answer with a binary body): no
   crash, the drift says what it saw, and the patch file is whole and loads.

usage: drift_test.py MOCK CONFORMANCE STANDIN_DIR DEFAULT_FIXTURES_DIR
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager

mock_bin, suite_bin, standin, defaults = sys.argv[1:5]
valid = "standin-Valid-Key-DISTINCTIVE-7f3a9c"
expired = "standin-Expired-Key-DISTINCTIVE-41b7"
# Values of the stand-in that identify someone or something secret: none may show.
forbidden = [valid, expired, "DISTINCTIVE", "distinctive.person", "987654321",
             "standin-secret", "tracker=", "eyJ"]
failures = []
clean_env = {k: v for k, v in os.environ.items() if not k.startswith("INSPEKT_")}


@contextmanager
def mock(*args):
    with tempfile.TemporaryDirectory(prefix="inspekt-drift-") as tmp:
        ca = os.path.join(tmp, "ca.pem")
        proc = subprocess.Popen([mock_bin, "--port", "0", "--quiet", "--tls-self-signed",
                                 "--tls-write-ca", ca, *args], stdout=subprocess.PIPE, text=True,
                                env=clean_env)
        try:
            ready = proc.stdout.readline()
            if not ready.startswith("listening on "):
                sys.exit(f"the mock did not start: {ready!r}")
            yield ready.split()[-1], ca
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def suite(url, ca, tmp, name, *args, key=valid, expired_key=expired):
    summary = os.path.join(tmp, name + "-summary.json")
    junit = os.path.join(tmp, name + "-junit.xml")
    env = {**clean_env, "INSPEKT_API_KEY": key, "INSPEKT_EXPIRED_KEY": expired_key}
    run = subprocess.run([suite_bin, "--live", "--base-url", url, "--ca-file", ca, "--drift",
                          "--summary-json", summary, "-r", "junit", "-o", junit, *args],
                         env=env, capture_output=True, text=True, timeout=60)
    if not os.path.exists(summary):
        sys.exit(f"{name} run: no summary (exit {run.returncode}):\n{run.stdout[-2000:]}\n"
                 f"{run.stderr[-2000:]}")
    with open(summary) as f:
        result = json.load(f)
    with open(junit) as f:
        result["junit"] = f.read()
    result["output"] = run.stdout + run.stderr
    result["returncode"] = run.returncode
    return result


def check_private(name, text):
    for secret in forbidden:
        if secret in text:
            at = text.index(secret)
            failures.append(f"{name}: {secret!r} in ...{text[max(0, at - 100):at + 30]!r}")
    if re.search(r"sess-[0-9a-f]{16}", text):
        failures.append(f"{name}: a session id of the stand-in")


def expect(condition, message):
    if not condition:
        failures.append(message)


with tempfile.TemporaryDirectory(prefix="inspekt-drift-") as tmp:
    patch = os.path.join(tmp, "patch.json")
    with mock("--fixtures", standin) as (url, ca):
        first = suite(url, ca, tmp, "first", "--write-fixture-patch", patch)
        drift = {d["aspect"]: d for d in first["drift"]}
        expected = {
            "invalid_request: body": "{detail:string,error:string,request_id:string}",
            "invalid_request: body.message": "(none)",
            "invalid_request: body.detail": '"The request body is not valid"',
            "unknown_key: body.error": '"Unauthorized"',
            "unknown_key: body.detail": '"Invalid or expired API key"',
            "method_not_allowed: header Allow": "POST, OPTIONS",
            "method_not_allowed: header X-Frame-Options": "DENY",
            "method_not_allowed: body.detail": '"Use POST"',
            "success: header Cache-Control": "no-store",
            "success: header Set-Cookie": "present (value not stored)",
            "success: body": "{access_token:string,account:string,expires_in:number,"
                             "refresh_token:string,session:string}",
            "access_token: alg": "HS512",
            "refresh_token: alg": "HS512",
            "access_token: lifetime (exp - iat)": "900 s",
            "refresh_token: lifetime (exp - iat)": "604800 s",
            "access_token: claim iss": '"https://auth.example.invalid"',
            "access_token: claim scope": '"damage-api"',
            "session: shape": "sess-{hex:16}",
        }
        for aspect, target in expected.items():
            if aspect not in drift:
                failures.append(f"the drift list does not name {aspect!r}")
            elif drift[aspect]["target"] != target:
                failures.append(f"{aspect}: target {drift[aspect]['target']!r}, expected {target!r}")
        claims = drift.get("access_token: claims (login-with-client-id)", {}).get("target", "")
        expect("email:string" in claims and "org_id:number" in claims and "sub:string" in claims,
               f"access_token: claims should name email and org_id by type: {claims!r}")
        expect(first["returncode"] == 0, f"first run exit {first['returncode']} (SHOULD only)")
        sent = re.search(r"(\d+) requests sent", first["output"])
        expect(sent and int(sent.group(1)) <= 64, "more than the live budget of 64 requests")
        expect("DRIFT" in first["junit"] and "<skipped" in first["junit"],
               "the JUnit report does not show the drift")
        with open(patch) as f:
            patch_text = f.read()
        for name, text in (("console", first["output"]), ("summary", json.dumps(first)),
                           ("junit", first["junit"]), ("patch", patch_text)):
            check_private(name, text)

        # A null member cannot be written in a merge patch: the drift proves its patch
        # and says so.
        unpatchable = "expired_key: body"
        expect(re.search(r"expired_key: body +\S.* DRIFT, not patchable", first["output"]),
               "the null member of expired_key's body is not marked 'not patchable'")

        # The round trip: the same target beside the patched fixtures.
        second = suite(url, ca, tmp, "second", "--fixture-patch", patch)
        remaining = [d["aspect"] for d in second["drift"]]
        expect(remaining == [unpatchable], f"after the patch, drift remains: {second['drift']}")
        expect(second["drift_aspects_compared"] >= 30,
               f"only {second['drift_aspects_compared']} aspects compared")

    # The mock applies the patch: it now answers like the stand-in's fixtures.
    with mock("--fixture-patch", patch) as (url, ca):
        third = suite(url, ca, tmp, "third", "--fixtures", standin, key="demo-valid-key",
                      expired_key="demo-expired-key")
        expect([d["aspect"] for d in third["drift"]] == [unpatchable],
               f"inspekt-mock --fixture-patch does not answer like the stand-in: {third['drift']}")

    # 4. The in-process mock beside its own fixtures.
    summary = os.path.join(tmp, "in-process.json")
    run = subprocess.run([suite_bin, "--drift", "--summary-json", summary, "-r", "compact"],
                         env=clean_env, capture_output=True, text=True, timeout=60)
    with open(summary) as f:
        own = json.load(f)
    expect(run.returncode == 0 and own["drift"] == [],
           f"the in-process mock drifts from its own fixtures: {own['drift']}")


@contextmanager
def garbage_server(answer):
    """A loopback server that reads a little and sends `answer` to every connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(65536)
                    conn.sendall(answer)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


binary = bytes(range(256)) * 4
for name, answer in (("random bytes", binary),
                     ("binary body", b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                                     b"Connection: close\r\n\r\n" % len(binary) + binary)):
    with tempfile.TemporaryDirectory(prefix="inspekt-drift-") as tmp, \
            garbage_server(answer) as url:
        patch = os.path.join(tmp, "patch.json")
        summary = os.path.join(tmp, "summary.json")
        run = subprocess.run([suite_bin, "--base-url", url, "--drift", "--summary-json", summary,
                              "--write-fixture-patch", patch, "--timeout-ms", "2000",
                              "-r", "compact"],
                             env={**clean_env, "INSPEKT_API_KEY": valid},
                             capture_output=True, text=True, timeout=120)
        expect(run.returncode == 1, f"{name}: exit {run.returncode}, expected 1 (MUST failures)")
        expect("aspects compared" in run.stdout, f"{name}: no drift table")
        if not os.path.exists(patch):
            sys.exit(f"{name}: no patch written (exit {run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-300:]}")
        with open(patch) as f:
            written = json.load(f)
        expect(sorted(os.listdir(tmp)) == ["patch.json", "summary.json"],
               f"{name}: files left behind: {os.listdir(tmp)}")
        check = subprocess.run([mock_bin, "--check-fixtures", defaults, "--fixture-patch", patch],
                               capture_output=True, text=True, timeout=30)
        expect(check.returncode == 0, f"{name}: the patch does not load: {check.stderr}")
        check_private(f"{name} output", run.stdout + run.stderr + json.dumps(written))

if failures:
    print("\n".join(failures), file=sys.stderr)
    print(first["output"][-6000:])
    sys.exit(1)
print(f"drift: {len(first['drift'])} differences named, {first['drift_aspects_compared']} aspects "
      "compared; after the patch only the one marked 'not patchable' remains, in both directions")
