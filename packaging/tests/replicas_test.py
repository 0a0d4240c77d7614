#!/usr/bin/env python3
"""Three replicas behind nginx, every replica with the same --seed and its own
--instance, as docs/deployment.md runs them:
1. the conformance suite passes through nginx;
2. 3000 logins through nginx give 3000 distinct session ids, every replica serving a
   share (a session format with room for them: the default's 10,000 a second are for
   the whole fleet, see docs/deployment.md);
3. SIGTERM to one replica under load, then the same replica started again on its port:
   every login is answered 200 (nginx retries those that met a closed or refused
   connection), and the restarted replica serves again;
4. where the mock has the admin API: a key added to the fixture files and
   POST /__admin/fixtures/reload sent to every replica (as docs/deployment.md loops)
   reaches every replica: each logs the new key in, and so does nginx every time.
Bounded: well under 60 s.

usage: replicas_test.py MOCK CONFORMANCE WORK_DIR DEFAULT_FIXTURES_DIR
"""
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packaging_support import Checks, clean_env  # noqa: E402
from replicas import NGINX, ReplicaSet  # noqa: E402

mock_bin, suite_bin, work, default_fixtures = sys.argv[1:5]
if not os.access(NGINX, os.X_OK):
    sys.exit(f"FAIL: {NGINX} is missing: run scripts/bootstrap (it installs nginx-light)")
checks = Checks()
started = time.monotonic()
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
# 10^4 * 16^10 ids a second: 3000 random-looking ids from three replicas collide with odds
# of about 1 in 10^11.
patch = os.path.join(work, "wide-session-ids.json")
with open(patch, "w") as f:
    json.dump({"description": "session ids with room for a fleet",
               "patch": {"session.json": {"format": "in{digits:4}{hex:10}{timestamp}"}}}, f)
BODY = json.dumps({"key": "demo-valid-key", "client_id": "replicas-test"})
fixtures = os.path.join(work, "fixtures")
shutil.copytree(default_fixtures, fixtures)
NEW_KEY = "replica-reload-key-0001"


def post(url, body=None):
    request = urllib.request.Request(url, method="POST", data=(body or "").encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def health_answers(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__admin/health", timeout=5) as a:
            return a.status == 200
    except (urllib.error.URLError, OSError):
        return False


def logins(port, count, sessions, failures, stop=None):
    """`count` logins (or until `stop` is set) on one keep-alive connection to nginx."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    done = 0
    while (stop is None and done < count) or (stop is not None and not stop.is_set()):
        try:
            connection.request("POST", "/api/authenticate", BODY,
                               {"Content-Type": "application/json"})
            answer = connection.getresponse()
            body = answer.read()
            if answer.status == 200:
                sessions.append(json.loads(body)["session"])
            else:
                failures.append(f"status {answer.status}: {body[:200]!r}")
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        done += 1
    connection.close()


def run_threads(port, threads, per_thread, stop=None):
    sessions, failures = [], []
    workers = [threading.Thread(target=logins, args=(port, per_thread, sessions, failures, stop))
               for _ in range(threads)]
    for w in workers:
        w.start()
    return workers, sessions, failures


with ReplicaSet(mock_bin, work, 3,
                ["--seed", "42", "--fixtures", fixtures, "--fixture-patch", patch]) as fleet:
    port = int(fleet.url.rsplit(":", 1)[1])

    # 1. The suite through the load balancer. The fault cases are left out: a reset or a
    # broken answer from a replica is what nginx shields a client from (it answers 502).
    suite = subprocess.run(
        [suite_bin, "--base-url", fleet.url, "--strict", "-r", "compact", "~fault-*"],
        capture_output=True, text=True, timeout=60,
        env={**clean_env, "INSPEKT_API_KEY": "demo-valid-key",
             "INSPEKT_EXPIRED_KEY": "demo-expired-key"})
    checks.check(suite.returncode == 0,
                 f"the conformance suite passes through nginx (exit {suite.returncode})")
    if suite.returncode != 0:
        print(suite.stdout[-3000:], suite.stderr[-3000:])

    # 2. 3000 logins, 6 connections at once.
    before = [r.logins_logged() for r in fleet.replicas]
    workers, sessions, failures = run_threads(port, 6, 500)
    for w in workers:
        w.join(timeout=40)
    checks.check(not failures and len(sessions) == 3000,
                 f"3000 logins answered 200 ({len(sessions)}; failures: {failures[:3]})")
    distinct = len(set(sessions))
    checks.check(distinct == len(sessions),
                 f"{distinct} distinct session ids of {len(sessions)}, every replica on --seed 42")
    time.sleep(0.2)  # the access log is written off the answering thread
    shares = [r.logins_logged() - b for r, b in zip(fleet.replicas, before)]
    checks.check(all(share >= 300 for share in shares), f"every replica served a share: {shares}")

    # 3. A replica stops (SIGTERM) and comes back on its port, under load.
    stop = threading.Event()
    workers, sessions, failures = run_threads(port, 4, 0, stop)
    time.sleep(0.5)
    victim = fleet.replicas[1]
    code = victim.stop()
    checks.check(code == 0, f"replica 1 exits 0 on SIGTERM (exit {code})")
    time.sleep(0.5)
    served_before_restart = victim.logins_logged()
    victim.start()  # the same port: nginx's upstream list does not change
    time.sleep(1.5)  # past fail_timeout, so that nginx sends it requests again
    stop.set()
    for w in workers:
        w.join(timeout=20)
    checks.check(len(sessions) > 100 and not failures,
                 f"no login lost across the stop and the restart: {len(sessions)} answered 200, "
                 f"failures {len(failures)}: {failures[:3]}")
    time.sleep(0.2)
    checks.check(victim.logins_logged() > served_before_restart,
                 "the restarted replica serves logins again")
    checks.check(len(set(sessions)) == len(sessions), "still no repeated session id")
    # 4. A fixture reload reaches every replica.
    if all(health_answers(r.port) for r in fleet.replicas):
        body = json.dumps({"key": NEW_KEY, "client_id": "replicas-test"})
        checks.check(all(post(f"http://127.0.0.1:{r.port}/api/authenticate", body)[0] == 401
                         for r in fleet.replicas), "before the reload the new key is unknown (401)")
        keys_path = os.path.join(fixtures, "keys.json")
        with open(keys_path) as f:
            keys = json.load(f)
        keys["keys"].append({"key": NEW_KEY, "status": "valid"})
        with open(keys_path, "w") as f:
            json.dump(keys, f)
        answers = [post(f"http://127.0.0.1:{r.port}/__admin/fixtures/reload") for r in fleet.replicas]
        checks.check(all(status == 200 for status, _ in answers),
                     f"every replica reloads: {[status for status, _ in answers]}")
        checks.check(all(post(f"http://127.0.0.1:{r.port}/api/authenticate", body)[0] == 200
                         for r in fleet.replicas), "after it each replica logs the new key in")
        through = [post(fleet.url + "/api/authenticate", body)[0] for _ in range(30)]
        checks.check(through == [200] * 30, f"and nginx does, 30 times of 30: {set(through)}")
    else:
        print("skip the fixture reload: this inspekt-mock has no admin API "
              "(GET /__admin/health is not 200)")
    errors = fleet.nginx_errors()
    if errors:
        print("nginx error log (retries show here):\n" + errors[-1500:])

print(f"took {time.monotonic() - started:.1f} s")
checks.finish()
