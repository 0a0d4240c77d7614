"""What the packaging tests share: running a command with a clear failure, a mock on a
free loopback port that stops when the block ends, a login over plain HTTP."""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager

# A live key exported in the caller's shell never reaches a program under test.
clean_env = {k: v for k, v in os.environ.items() if not k.startswith("INSPEKT_")}


def run(args, timeout=300, env=None, **kwargs):
    """Runs a command; exits the test with its output when it fails."""
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else clean_env, **kwargs)
    if done.returncode != 0:
        sys.exit(f"FAIL: {' '.join(map(str, args))} exited {done.returncode}\n"
                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


@contextmanager
def mock(binary, *args, env=None):
    """inspekt-mock on a free loopback port; yields its base URL; SIGTERM at the end."""
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--quiet", *args],
                            stdout=subprocess.PIPE, text=True,
                            env=env if env is not None else clean_env)
    try:
        ready = proc.stdout.readline()
        if not ready.startswith("listening on "):
            sys.exit(f"FAIL: {binary} did not start: {ready!r}")
        yield ready.split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def login(base_url, key="demo-valid-key", timeout=5):
    """POST /api/authenticate; returns (status, parsed body)."""
    request = urllib.request.Request(
        base_url + "/api/authenticate", method="POST",
        data=json.dumps({"key": key, "client_id": "packaging-test"}).encode(),
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Checks:
    """Collects failures so that one run reports them all; exit code 1 if any."""

    def __init__(self):
        self.failures = []

    def check(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            self.failures.append(what)
        return ok

    def finish(self):
        if self.failures:
            print(f"{len(self.failures)} check(s) failed")
            sys.exit(1)
        print("all checks passed")
