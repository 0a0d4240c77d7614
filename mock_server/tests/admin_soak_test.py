#!/usr/bin/env python3
"""Soak: about a minute of logins under load while the admin API is called, good and
broken fixture sets are reloaded (by the endpoint, by SIGHUP and by --watch), runtime
keys are added and revoked, and the clock moves. Every answer must be one the request
can get from either set; the mock must stay up; a SIGTERM sent in the middle of a reload
must still end it with exit 0. Loopback only; stops by itself.

usage: admin_soak_test.py INSPEKT_MOCK DEFAULT_FIXTURES_DIR [SECONDS]"""
import http.client, json, os, random, shutil, signal, subprocess, sys, tempfile, threading, time

if len(sys.argv) < 3 or sys.argv[1] in ("-h", "--help"):
    sys.exit(__doc__)
mock, defaults = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0

work = tempfile.mkdtemp(prefix="inspekt-soak-")
fixtures = os.path.join(work, "fixtures")
shutil.copytree(defaults, fixtures)
with open(os.path.join(defaults, "keys.json"), encoding="utf-8") as f:
    keys_a = json.load(f)
# Set B: demo-expired-key becomes valid, and a key only B has. Set A is the default.
keys_b = json.loads(json.dumps(keys_a))
for entry in keys_b["keys"]:
    if entry["key"] == "demo-expired-key":
        entry.pop("answer", None)
        entry["status"] = "valid"
keys_b["keys"].append({"key": "soak-set-b-key", "status": "valid"})
sets = {"a": json.dumps(keys_a), "b": json.dumps(keys_b), "broken": '{"keys": [ {"key": '}


def install(name):
    """Writes keys.json as editors do: a temporary file renamed over the old one."""
    tmp = os.path.join(fixtures, ".keys.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(sets[name])
    os.replace(tmp, os.path.join(fixtures, "keys.json"))


log_path = os.path.join(work, "mock.log")
log = open(log_path, "wb")
proc = subprocess.Popen([mock, "--port", "0", "--fixtures", fixtures, "--watch", "--seed", "7"],
                        stdout=subprocess.PIPE, stderr=log)
ready = proc.stdout.readline().decode()
if not ready.startswith("listening on http://"):
    sys.exit(f"no ready line: {ready!r}")
host, port = ready.split("//", 1)[1].strip().rsplit(":", 1)
port = int(port)

failures, counts, lock = [], {}, threading.Lock()
stop = threading.Event()


def fail(what):
    with lock:
        if len(failures) < 20:
            failures.append(what)
    stop.set()


def count(name):
    with lock:
        counts[name] = counts.get(name, 0) + 1


class Client:
    """One keep-alive connection, reopened when the mock closes it."""
    def __init__(self):
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(host, port, timeout=10)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, data, response
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def login(self, key, client_id="soak"):
        return self.call("POST", "/api/authenticate", json.dumps({"key": key, "client_id": client_id}),
                         {"Content-Type": "application/json"})

    def admin(self, method, path, body=None):
        return self.call(method, "/__admin" + path, None if body is None else json.dumps(body))


# What each login may get: the same in both sets, or what one of the two sets says.
logins = [
    ("demo-valid-key", {200}),
    ("demo-expired-key", {200, 401}),   # 401 in A, 200 in B
    ("demo-revoked-key", {401}),
    ("soak-set-b-key", {200, 401}),     # only B knows it
    ("not-a-key-at-all", {401}),
    ("demo-rate-limited-key", {200, 429}),
]


def login_worker(seed):
    rng = random.Random(seed)
    client = Client()
    while not stop.is_set():
        key, allowed = rng.choice(logins)
        try:
            status, body, _ = client.login(key)
        except Exception as e:  # the mock went away or hung
            fail(f"login {key[:4]}...: {e!r}")
            return
        if status not in allowed:
            fail(f"login {key[:4]}...: {status} not in {sorted(allowed)}: {body[:120]!r}")
        if status == 200 and b"access_token" not in body:
            fail(f"login {key[:4]}...: 200 without tokens")
        count(f"login {status}")


def runtime_key_worker():
    client, n = Client(), 0
    while not stop.is_set():
        n += 1
        key = f"soak-runtime-{n:06d}-key"
        status, body, _ = client.admin("POST", "/keys", {"key": key, "status": "valid"})
        if status != 201:
            fail(f"POST /__admin/keys: {status} {body[:200]!r}")
            return
        # Runtime keys survive reloads: the key works until revoked, whatever set serves.
        status, body, _ = client.login(key)
        if status != 200:
            fail(f"runtime key login: {status} {body[:120]!r}")
        status, body, _ = client.admin("POST", "/keys/revoke", {"key": key})
        if status != 200:
            fail(f"revoke: {status} {body[:200]!r}")
        status, body, _ = client.login(key)
        if status != 401:
            fail(f"revoked key login: {status} {body[:120]!r}")
        count("runtime key cycle")
        time.sleep(0.01)


def admin_worker():
    client = Client()
    while not stop.is_set():
        for method, path, body, want in [
            ("GET", "/health", None, 200),
            ("GET", "/requests?limit=20", None, 200),
            ("POST", "/requests/count", {"client_id": "soak"}, 200),
            ("GET", "/clock", None, 200),
            ("POST", "/clock", {"advance_seconds": 1}, 200),
            ("POST", "/requests/count", {"status": "x"}, 400),
            ("GET", "/nothing-here", None, 404),
        ]:
            status, data, _ = client.admin(method, path, body)
            if status != want:
                fail(f"{method} /__admin{path}: {status}, wanted {want}: {data[:200]!r}")
                return
            if status == 200:
                json.loads(data)  # every answer is JSON
            count(f"admin {method} {path.split('?')[0]}")
        time.sleep(0.02)


def reload_worker():
    client, rng, n = Client(), random.Random(3), 0
    while not stop.is_set():
        n += 1
        name = rng.choice(["a", "b", "broken"])
        install(name)
        how = rng.choice(["endpoint", "endpoint", "sighup", "watch"])
        if how == "endpoint":
            status, body, _ = client.admin("POST", "/fixtures/reload")
            want = 422 if name == "broken" else 200
            if status != want:
                fail(f"reload of set {name}: {status}, wanted {want}: {body[:200]!r}")
                return
            if status == 422 and not json.loads(body).get("id", "").startswith("fixture."):
                fail(f"422 without a fixture id: {body[:200]!r}")
        elif how == "sighup":
            proc.send_signal(signal.SIGHUP)
        count(f"reload {name} by {how}")
        time.sleep(rng.uniform(0.05, 0.3))


threads = [threading.Thread(target=login_worker, args=(i,)) for i in range(4)]
threads += [threading.Thread(target=f) for f in (runtime_key_worker, admin_worker, reload_worker)]
for t in threads:
    t.start()
deadline = time.monotonic() + seconds
while time.monotonic() < deadline and not stop.is_set():
    if proc.poll() is not None:
        fail(f"the mock exited with {proc.returncode} during the soak")
    time.sleep(0.1)
stop.set()
for t in threads:
    t.join(timeout=30)

# A SIGTERM in the middle of a reload still ends the mock with 0.
install("b")
reloader = threading.Thread(target=lambda: Client().admin("POST", "/fixtures/reload"))
if proc.poll() is None:
    reloader.start()
    time.sleep(0.001)
    proc.send_signal(signal.SIGHUP)
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=5)
        if code != 0:
            fail(f"exit {code} after SIGTERM during a reload")
    except subprocess.TimeoutExpired:
        proc.kill()
        fail("no exit within 5 s of SIGTERM during a reload")
    reloader.join(timeout=10)
log.close()

text = open(log_path, encoding="utf-8", errors="replace").read()
for secret in ("soak-runtime-", "soak-set-b-key", "not-a-key-at-all"):
    if secret in text:
        failures.append(f"a whole key ({secret}...) is in the access log")
for needed in ("reload refused", "reload ok"):
    if needed not in text:
        failures.append(f"the access log has no {needed!r} note")
shutil.rmtree(work, ignore_errors=True)

summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
print(summary)
if failures:
    sys.exit("FAIL\n" + "\n".join(failures) + "\nlog: see above; counts: " + summary)
if counts.get("login 200", 0) < 100 or not any(k.startswith("reload broken") for k in counts):
    sys.exit("FAIL: the soak did too little to mean anything: " + summary)
print(f"PASS: {seconds:.0f} s of logins, admin calls, reloads and SIGHUPs; exit 0 on SIGTERM")
