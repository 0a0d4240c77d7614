#!/usr/bin/env python3
"""Runs upload_with_relogin.py through a token's whole life: an upload, the token
expires, the next upload is refused and the app logs in again and succeeds, the key is
revoked, the next upload fails without a retry loop.

usage: upload_with_relogin_test.py            against a fake login and upload gate that
                                              this script serves on a free loopback port
       upload_with_relogin_test.py --mock     against inspekt-mock as scripts/with-mock
                                              starts it (INSPEKT_BASE_URL, INSPEKT_ADMIN_URL,
                                              INSPEKT_API_KEY); moves its clock and revokes
                                              the key through the admin API. Exits 77
                                              (skipped) when the mock does not guard
                                              POST /api/upload.
Prints PASS and exits 0 when every step saw what it should.
"""
import email.parser
import email.policy
import http.server
import itertools
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "upload_with_relogin.py")
LIFETIME_SECONDS = 86400  # the default fixtures' refresh_token lifetime
PAST_EXPIRY_SECONDS = 2 * LIFETIME_SECONDS


def fail(message):
    sys.exit("FAIL: " + message)


class FakeGate(http.server.ThreadingHTTPServer):
    """POST /api/authenticate and a guarded POST /api/upload, as docs/token-gate.md
    describes the mock's: opaque tokens here, since the app never looks inside one."""
    daemon_threads = True

    def __init__(self, key):
        super().__init__(("127.0.0.1", 0), FakeGateHandler)
        self.key = key
        self.lock = threading.Lock()
        self.now = int(time.time())
        self.tokens = {}  # refresh token -> {"session", "exp"}
        self.key_revoked = False
        self.refuse_all = False  # every token refused, logins still pass
        self.logins = 0
        self.reasons = []  # each refusal's reason, in order
        self.uploads = []  # each accepted upload's parts: [(name, filename, size)]
        self.sessions = itertools.count(1000)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def advance(self, seconds):
        with self.lock:
            self.now += seconds

    def revoke_key(self):
        with self.lock:
            self.key_revoked = True


class FakeGateHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, message, challenge=None):
        body = json.dumps({"message": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if challenge:
            self.send_header("WWW-Authenticate", challenge)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        gate = self.server
        if self.path == "/api/authenticate":
            request = json.loads(body or b"null")
            with gate.lock:
                if not isinstance(request, dict) or request.get("key") != gate.key or gate.key_revoked:
                    return self.answer(401, "API Key not valid")
                session = f"in{next(gate.sessions)}20260101000000"
                token = "refresh-" + secrets.token_hex(8)
                gate.tokens[token] = {"session": session, "exp": gate.now + LIFETIME_SECONDS}
                gate.logins += 1
            payload = json.dumps({"session": session, "access_token": "access-" + token,
                                  "refresh_token": token}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            return self.wfile.write(payload)
        if self.path != "/api/upload":
            return self.answer(404, "Not found")
        reason, status, challenge = self.refusal(body)
        with gate.lock:
            if reason:
                gate.reasons.append(reason)
            else:
                gate.uploads.append(self.parts(body))
        if reason:
            return self.answer(status, reason, challenge)
        return self.answer(200, "Upload received")

    def refusal(self, body):
        """(reason, status, WWW-Authenticate) of a refused upload, or (None, 200, None)."""
        gate = self.server
        authorization = self.headers.get("Authorization", "")
        if not authorization.startswith("Bearer "):
            return "token_missing", 401, "Bearer"
        invalid = 'Bearer error="invalid_token"'
        with gate.lock:
            token = gate.tokens.get(authorization[len("Bearer "):])
            if token is None:
                return "token_invalid", 401, invalid
            if token["exp"] <= gate.now:
                return "token_expired", 401, invalid
            if gate.key_revoked or gate.refuse_all:
                return "token_revoked", 401, invalid
        session = dict((name, value) for name, _, value in self.fields(body)).get("session")
        if session is None:
            return "session_missing", 400, None
        if session.decode() != token["session"]:
            return "session_mismatch", 401, None
        return None, 200, None

    def fields(self, body):
        """(name, filename, bytes) of each part of a multipart/form-data body."""
        head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        if not message.is_multipart():
            return []
        return [(part.get_param("name", header="content-disposition"), part.get_filename(),
                 part.get_payload(decode=True)) for part in message.iter_parts()]

    def parts(self, body):
        return [(name, filename, len(value)) for name, filename, value in self.fields(body)]


class FakeControl:
    def __init__(self, gate):
        self.gate = gate

    def advance(self, seconds):
        self.gate.advance(seconds)

    def revoke_key(self):
        self.gate.revoke_key()


class MockControl:
    """The same moves on inspekt-mock, through its admin API."""

    def __init__(self, admin_url, key):
        self.admin_url, self.key = admin_url, key

    def post(self, path, payload):
        request = urllib.request.Request(self.admin_url + path, data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def advance(self, seconds):
        self.post("/clock", {"advance_seconds": seconds})

    def revoke_key(self):
        self.post("/keys/revoke", {"key": self.key})


class App:
    """upload_with_relogin.py reading file names on stdin: one upload per step."""

    def __init__(self, base_url, key):
        env = dict(os.environ, INSPEKT_API_KEY=key)
        self.process = subprocess.Popen([sys.executable, APP, "--base-url", base_url, "-"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env)

    def upload(self, path):
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            fail("the app ended early: " + self.process.stderr.read())
        return json.loads(line)

    def finish(self):
        self.process.stdin.close()
        return self.process.wait(timeout=20), self.process.stderr.read()


def expect(report, step, **wanted):
    for field, value in wanted.items():
        if report.get(field) != value:
            fail(f"{step}: {field} is {report.get(field)!r}, expected {value!r}; report: {report}")
    print(f"ok: {step}: {json.dumps(report)}")


def upload_supported(base_url):
    request = urllib.request.Request(base_url + "/api/upload", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError as e:
        return e.code != 404
    return True


def main():
    mock = sys.argv[1:] == ["--mock"]
    if sys.argv[1:] not in ([], ["--mock"]):
        sys.exit(__doc__)
    key = os.environ.get("INSPEKT_API_KEY", "demo-valid-key") if mock else "fake-gate-key-5e1f"
    if mock:
        base_url, admin_url = os.environ["INSPEKT_BASE_URL"], os.environ["INSPEKT_ADMIN_URL"]
        if not upload_supported(base_url):
            print(f"SKIPPED: {base_url} does not guard POST /api/upload (404)")
            return 77
        control, gate = MockControl(admin_url, key), None
    else:
        gate = FakeGate(key)
        threading.Thread(target=gate.serve_forever, daemon=True).start()
        base_url, control = gate.base_url, FakeControl(gate)

    with tempfile.NamedTemporaryFile(suffix=".jpg") as photo:
        photo.write(b"\xff\xd8" + bytes(range(256)) * 4 + b"\xff\xd9")
        photo.flush()
        size = os.path.getsize(photo.name)
        name = os.path.basename(photo.name)
        app = App(base_url, key)

        expect(app.upload(photo.name), "first upload logs in", status=200, attempts=1, logins=1)
        if gate:
            sent = gate.uploads[-1]
            if ("file", name, size) not in sent or [p for p in sent if p[0] == "session"] == []:
                fail(f"the upload's parts are {sent}: expected a session field and the file")
        expect(app.upload(photo.name), "the login is reused", status=200, attempts=1, logins=1)

        control.advance(PAST_EXPIRY_SECONDS)
        report = app.upload(photo.name)
        expect(report, "after expiry: refused once, one new login, then accepted",
               status=200, attempts=2, logins=2)
        if report["refused"]["www_authenticate"] != 'Bearer error="invalid_token"':
            fail(f"the refusal's WWW-Authenticate: {report['refused']}")
        if gate and gate.reasons != ["token_expired"]:
            fail(f"the gate's refusals: {gate.reasons}, expected one token_expired")

        control.revoke_key()
        expect(app.upload(photo.name), "after revoking the key: refused, the new login fails",
               status=401, attempts=1, logins=2, login_status=401)

        if gate:  # logins pass but every token is refused: a state the mock has no switch for
            with gate.lock:
                gate.key_revoked, gate.refuse_all = False, True
            expect(app.upload(photo.name), "a fresh login refused too: reported, no loop",
                   status=401, attempts=2, logins=4, error="still refused after logging in again")
        code, stderr = app.finish()
        if code != 1:
            fail(f"the app exits {code} after a failed upload, expected 1; stderr: {stderr}")
        if key in stderr:
            fail("the key shows in the app's stderr")
        if gate and gate.logins != 4:
            fail(f"the gate counted {gate.logins} logins, the app 4")
    print("PASS: upload_with_relogin.py logged in again once after a refusal, and stopped "
          "after a second one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
