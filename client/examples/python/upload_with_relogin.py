#!/usr/bin/env python3
"""An app that logs in once and uploads files with the login's tokens, logging in again
when a token is refused: what an app against the Inspektlabs API has to get right when a
token expires or its key is revoked.

The flow is the vendor's: POST {base}/api/authenticate with {"key"} gives `session` and
`refresh_token`; each upload is POST {base}/api/upload, multipart/form-data with a
`session` field and the file, sent with "Authorization: Bearer <refresh_token>". On a
401 the app logs in again once and retries that upload once; a second 401, or a login
that fails, is reported and the app goes on with the next file (no retry loop).

usage: upload_with_relogin.py [--base-url URL] [--client-id ID] FILE... | -
  FILE...  the files to upload, in order; "-" reads one file name a line from stdin and
           uploads each as it arrives (a queue fed by another program, or a test)
  The key comes from INSPEKT_API_KEY, never from the command line. The base URL:
  --base-url, else INSPEKT_BASE_URL.

Prints one JSON line per upload: {"file", "status", "attempts", "logins"} and, when it
failed, "error". Exit 0 when every upload got a 2xx, 1 when one did not, 2 for usage.
"""
import argparse
import json
import os
import sys

import requests

TIMEOUT_SECONDS = 10


class LoginFailed(Exception):
    def __init__(self, status, message):
        super().__init__(f"login failed ({status}): {message}")
        self.status = status


class Session:
    """The login the uploads use; log in again with relogin()."""

    def __init__(self, base_url, key, client_id):
        self.base_url = base_url.rstrip("/")
        self._key = key
        self._client_id = client_id
        self.session = None
        self.refresh_token = None
        self.logins = 0

    def relogin(self):
        payload = {"key": self._key}
        if self._client_id:
            payload["client_id"] = self._client_id
        self.session = self.refresh_token = None
        response = requests.post(self.base_url + "/api/authenticate", json=payload,
                                 timeout=TIMEOUT_SECONDS)
        body = _json_or_none(response)
        if response.status_code != 200 or not isinstance(body, dict):
            raise LoginFailed(response.status_code, _message(body, response))
        self.session, self.refresh_token = body.get("session"), body.get("refresh_token")
        if not isinstance(self.session, str) or not isinstance(self.refresh_token, str):
            raise LoginFailed(response.status_code, "no session or refresh_token in the answer")
        self.logins += 1

    def upload(self, path):
        """One POST /api/upload with the current login; the response."""
        with open(path, "rb") as f:
            return requests.post(
                self.base_url + "/api/upload",
                headers={"Authorization": "Bearer " + self.refresh_token},
                data={"session": self.session},
                files={"file": (os.path.basename(path), f, "application/octet-stream")},
                timeout=TIMEOUT_SECONDS)


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _message(body, response):
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return response.text[:200]


def upload_with_relogin(session, path):
    """Uploads `path`, logging in first when there is no login and once more after a 401.
    Returns the line to print."""
    report = {"file": os.path.basename(path), "status": None, "attempts": 0}
    try:
        for attempt in (1, 2):
            if session.refresh_token is None:
                session.relogin()
            report["attempts"] = attempt
            response = session.upload(path)
            report["status"] = response.status_code
            if response.status_code != 401:
                break
            # Refused (expired, revoked, not this mock's...): drop the login and make a
            # new one, once. Why it was refused is in WWW-Authenticate and the message.
            report["refused"] = {"www_authenticate": response.headers.get("WWW-Authenticate"),
                                 "message": _message(_json_or_none(response), response)}
            session.refresh_token = None
        if not 200 <= report["status"] < 300:
            report["error"] = ("still refused after logging in again" if report["status"] == 401
                               else "the upload was not accepted")
    except LoginFailed as e:
        report["error"] = str(e)
        report["login_status"] = e.status
    except (requests.RequestException, OSError) as e:
        report["error"] = f"{type(e).__name__}: {e}"
    report["logins"] = session.logins
    return report


def main(argv):
    parser = argparse.ArgumentParser(
        description="Log in, upload files with the tokens, log in again once on a 401.")
    parser.add_argument("--base-url", default=os.environ.get("INSPEKT_BASE_URL"),
                        help="API base URL (default: $INSPEKT_BASE_URL)")
    parser.add_argument("--client-id", help="optional client identifier sent with the login")
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help='files to upload; "-" reads file names from stdin, one a line')
    args = parser.parse_args(argv)
    key = os.environ.get("INSPEKT_API_KEY")
    if not key:
        parser.error("set INSPEKT_API_KEY (the key is never taken from the command line)")
    if not args.base_url:
        parser.error("no base URL: pass --base-url or set INSPEKT_BASE_URL")

    session = Session(args.base_url, key, args.client_id)
    failed = False
    paths = (line.rstrip("\n") for line in sys.stdin) if args.files == ["-"] else args.files
    for path in paths:
        report = upload_with_relogin(session, path)
        failed = failed or "error" in report
        print(json.dumps(report), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
