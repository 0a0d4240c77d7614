#!/usr/bin/env python3
"""inspekt-mock with its stderr piped to a reader that never reads.

A script that starts the mock with stderr=PIPE and forgets it is common. Once the pipe
(64 KiB) is full, a mock that wrote its access log on the request's way stopped
answering everyone, and SIGTERM no longer stopped it. Here: 3000 logins (about 400 KB
of log) all answered 200, then SIGTERM ends it with exit 0 within a second.

Usage: blocked_stderr_test.py PATH/TO/inspekt-mock
"""

import http.client
import signal
import subprocess
import sys
import time

BODY = '{"key":"demo-valid-key","client_id":"blocked-stderr-test"}'
LOGINS = 3000


def main():
    binary = sys.argv[1]
    mock = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        ready = mock.stdout.readline().strip()
        if not ready.startswith("listening on http://"):
            sys.exit(f"FAIL: no ready line, got {ready!r}")
        port = int(ready.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        start = time.monotonic()
        for i in range(LOGINS):
            try:
                connection.request("POST", "/api/authenticate", BODY,
                                   {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
            except OSError as error:
                sys.exit(f"FAIL: login {i + 1} of {LOGINS} got no answer ({error}); "
                         "the mock blocked on its unread stderr")
            if response.status != 200:
                sys.exit(f"FAIL: login {i + 1} answered {response.status}")
        connection.close()
        elapsed = time.monotonic() - start
        mock.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        try:
            code = mock.wait(timeout=3)
        except subprocess.TimeoutExpired:
            sys.exit("FAIL: still running 3 s after SIGTERM")
        took = time.monotonic() - stopped
        if code != 0 or took > 1.0:
            sys.exit(f"FAIL: SIGTERM: exit {code} after {took:.2f} s (want 0 within 1 s)")
        print(f"PASS: {LOGINS} logins in {elapsed:.2f} s with stderr unread; "
              f"exit 0 {took:.2f} s after SIGTERM")
    finally:
        if mock.poll() is None:
            mock.kill()
            mock.wait()


if __name__ == "__main__":
    main()
