#!/usr/bin/env python3
"""Every refusal reason of the token gate, reached over the wire from the inspekt-mock
binary that scripts/with-mock started (INSPEKT_BASE_URL; started with --max-upload
65536): each request's status, answer body, WWW-Authenticate challenge, and the reason
the journal recorded for it. Also a pass, a 405 with Allow, a 413 past --max-upload and
a 400 naming a broken multipart body. Prints PASS and exits 0, or says which failed."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import sys
import urllib.parse

base = urllib.parse.urlsplit(os.environ["INSPEKT_BASE_URL"])


def send(method, path, body=b"", headers=None):
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def admin(path, body):
    return json.loads(send("POST", "/__admin" + path, json.dumps(body).encode())[2])


def log_in(key="demo-valid-key"):
    status, _, body = send("POST", "/api/authenticate", json.dumps({"key": key}).encode(),
                           {"Content-Type": "application/json"})
    assert status == 200, status
    return json.loads(body)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(token, secret=None, header=None):
    """The token's claims under another header and/or signed with another secret."""
    head, claims, signature = token.split(".")
    if header is not None:
        head = b64(json.dumps(header).encode())
    if secret is not None:
        signature = b64(hmac.new(secret, f"{head}.{claims}".encode(), hashlib.sha256).digest())
    return f"{head}.{claims}.{signature}"


def form(session):
    return urllib.parse.urlencode({"session": session, "note": "car"}).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
INVALID = 'Bearer error="invalid_token"'
failures = []
refused = {}  # reason -> how many requests so far were refused with it


def check(name, answer, status, message, challenge=None, reason=None, allow=None):
    got_status, headers, body = answer
    ok = got_status == status and json.loads(body).get("message") == message
    ok = ok and headers.get("WWW-Authenticate") == challenge
    if allow is not None:
        ok = ok and headers.get("Allow") == allow
    if reason is not None:  # this request, and every earlier one, journaled with its reason
        refused[reason] = refused.get(reason, 0) + 1
        counted = admin("/requests/count", {"path": "/api/upload", "reason": reason})["count"]
        ok = ok and counted == refused[reason]
    print(("ok   " if ok else "FAIL ") + name)
    if not ok:
        failures.append(f"{name}: {got_status} {headers} {body[:200]!r}")


login = log_in()
token, session = login["refresh_token"], login["session"]
bearer = {"Authorization": "Bearer " + token, **FORM}

check("passes: a form's session", send("POST", "/api/upload", form(session), bearer), 200,
      "Upload received")
boundary = "XyZ"
multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"session\"\r\n\r\n{session}\r\n"
             f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"car.jpg\"\r\n"
             f"Content-Type: image/jpeg\r\n\r\nJPEG\r\n--{boundary}--\r\n").encode()
multipart_headers = {"Authorization": "Bearer " + token,
                     "Content-Type": f"multipart/form-data; boundary={boundary}"}
check("passes: a multipart field", send("POST", "/api/upload", multipart, multipart_headers), 200,
      "Upload received")
check("passes: a query parameter",
      send("POST", "/api/upload?session=" + session, b"", {"Authorization": "Bearer " + token}),
      200, "Upload received")
check("405 with Allow", send("GET", "/api/upload"), 405, "Method not allowed", allow="POST")
check("token_missing", send("POST", "/api/upload", form(session), FORM), 401,
      "Authorization header missing", "Bearer", "token_missing")
check("token_invalid: not a JWT",
      send("POST", "/api/upload", form(session), {**FORM, "Authorization": "Bearer abc"}), 401,
      "Token not valid", INVALID, "token_invalid")
for name, other in [("the access_token", login["access_token"]),
                    ("truncated", token[:-3]),
                    ("alg none", forged(token, header={"alg": "none", "typ": "JWT"})),
                    ("another secret", forged(token, secret=b"another-fixture-set-secret"))]:
    check("token_invalid: " + name,
          send("POST", "/api/upload", form(session), {**FORM, "Authorization": "Bearer " + other}),
          401, "Token not valid", INVALID, "token_invalid")
check("session_missing", send("POST", "/api/upload", b"note=car", bearer), 400, "session missing",
      None, "session_missing")
check("session_mismatch", send("POST", "/api/upload", form(log_in()["session"]), bearer), 401,
      "session does not match the token", None, "session_mismatch")
broken = multipart[:-8]
check("upload_body: a broken multipart body",
      send("POST", "/api/upload", broken, multipart_headers), 400,
      "the body ends before the closing --boundary-- line", None, "upload_body")
check("413 past --max-upload",
      send("POST", "/api/upload", b"x" * 70000, {**bearer, "Content-Type": "application/octet-stream"}),
      413, "Payload too large")

admin("/tokens/revoke", {"session": session})
check("token_revoked: the session", send("POST", "/api/upload", form(session), bearer), 401,
      "Token revoked", INVALID, "token_revoked")
other = log_in("demo-short-lived-key")
admin("/keys/revoke", {"key": "demo-short-lived-key"})
check("token_revoked: the key",
      send("POST", "/api/upload", form(other["session"]),
           {**FORM, "Authorization": "Bearer " + other["refresh_token"]}),
      401, "Token revoked", INVALID, "token_revoked")
fresh = log_in()
admin("/clock", {"advance_seconds": 86401})
check("token_expired",
      send("POST", "/api/upload", form(fresh["session"]),
           {**FORM, "Authorization": "Bearer " + fresh["refresh_token"]}),
      401, "Token expired", INVALID, "token_expired")

if failures:
    sys.exit("\n".join(failures))
print("PASS: every refusal reason of the token gate, over the wire")
