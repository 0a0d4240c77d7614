#!/usr/bin/env python3
"""End to end, every program at its most talkative with distinctive keys: the mock
(its access log, text and JSON), inspekt-auth logging in (with --show-claims, valid,
expired and unknown keys) and the conformance suite over HTTP against that mock (-s:
every passing check too, with durations). No key may appear in any of their output; no token in the mock's or the
suite's (inspekt-auth prints tokens: that is its job).

usage: no_secrets_everywhere_test.py MOCK AUTH CONFORMANCE DEFAULT_FIXTURES_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

mock_bin, auth_bin, suite_bin, defaults = sys.argv[1:5]
valid = "k3y-DO-NOT-LEAK-valid-e2e-90b1"
expired = "k3y-DO-NOT-LEAK-expired-e2e-4c7d"
keys = [valid, expired, valid + "-unknown"]
marker = "DO-NOT-LEAK"  # past the 4 characters the mock's log may show

failures = []


def check(name, text, forbid_tokens):
    for secret in keys + [marker] + (["eyJ"] if forbid_tokens else []):
        if secret in text:
            at = text.index(secret)
            failures.append(f"{name}: {secret!r} in ...{text[max(0, at - 80):at + 20]!r}")


with tempfile.TemporaryDirectory(prefix="inspekt-secrets-") as tmp:
    for name in ("responses.json", "tokens.json", "session.json"):
        shutil.copy(os.path.join(defaults, name), tmp)
    with open(os.path.join(tmp, "keys.json"), "w") as out:
        json.dump({"keys": [{"key": valid, "status": "valid"},
                            {"key": expired, "status": "expired"}]}, out)
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("INSPEKT_")}
    for log_format in ("text", "json"):
        mock = subprocess.Popen([mock_bin, "--port", "0", "--fixtures", tmp, "--log-format",
                                 log_format], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=clean_env)
        try:
            ready = mock.stdout.readline()
            if not ready.startswith("listening on "):
                sys.exit(f"the mock did not start: {ready!r}")
            url = ready.split()[-1]
            for key, expected in ((valid, 0), (expired, 4), (keys[2], 4)):
                run = subprocess.run([auth_bin, "login", "--base-url", url, "--show-claims"],
                                     env={**clean_env, "INSPEKT_API_KEY": key},
                                     capture_output=True, text=True, timeout=30)
                if run.returncode != expected:
                    failures.append(f"inspekt-auth with {log_format} log: exit {run.returncode}")
                check(f"inspekt-auth ({log_format} log)", run.stdout + run.stderr, False)
            for reporter in (["-r", "console"], ["-r", "xml"], ["-r", "junit"]):
                run = subprocess.run([suite_bin, "--base-url", url, "-s", "-d", "yes", *reporter],
                                     env={**clean_env, "INSPEKT_API_KEY": valid,
                                          "INSPEKT_EXPIRED_KEY": expired},
                                     capture_output=True, text=True, timeout=120)
                # A machine report keeps stdout; the table then goes to stderr.
                if run.returncode != 0 or "requests sent" not in run.stdout + run.stderr:
                    failures.append(f"inspekt-conformance {reporter}: exit {run.returncode}")
                elif " 0 requests sent" in run.stdout + run.stderr:
                    failures.append(f"inspekt-conformance {reporter}: no case ran: nothing checked")
                check(f"inspekt-conformance {' '.join(reporter)}", run.stdout + run.stderr, True)
        finally:
            mock.terminate()
            out, err = mock.communicate(timeout=5)
        if mock.returncode != 0:
            failures.append(f"the mock ({log_format} log) exited {mock.returncode}")
        if "outcome=success" not in err and '"outcome":"success"' not in err:
            failures.append(f"the mock's {log_format} log shows no successful login: nothing checked")
        check(f"inspekt-mock ({log_format} log)", ready + out + err, True)

if failures:
    sys.exit("no_secrets_everywhere_test:\n  " + "\n  ".join(failures))
print("no key in the output of inspekt-mock, inspekt-auth or inspekt-conformance")
