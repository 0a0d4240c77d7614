#!/usr/bin/env python3
"""The suite never prints a key or a token, in any reporter, with successes
shown too (-s). Keys are distinctive, so a leak cannot hide; "eyJ" starts every
base64url JSON header, so any token, with or without its signature, would show.

usage: no_secrets_test.py CONFORMANCE_BINARY DISTINCTIVE_KEYS_PATCH
"""
import subprocess
import sys

binary, patch = sys.argv[1], sys.argv[2]
secrets = ["k3y-DO-NOT-LEAK", "eyJ"]
for reporter in (["-r", "console", "-s"], ["-r", "xml", "-s"], ["-r", "junit"], ["-r", "compact", "-s"],
                 ["-r", "json"]):
    proc = subprocess.run([binary, "--fixture-patch", patch, *reporter], capture_output=True,
                          text=True, timeout=60)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(output[-3000:])
        sys.exit(f"no_secrets_test: the run with {reporter} failed (exit {proc.returncode})")
    for secret in secrets:
        if secret in output:
            at = output.index(secret)
            sys.exit(f"no_secrets_test: {secret!r} appears with {reporter}: "
                     f"...{output[max(0, at - 80):at + 20]!r}")
    print(f"{' '.join(reporter)}: {len(output)} bytes of output, no key, no token")
