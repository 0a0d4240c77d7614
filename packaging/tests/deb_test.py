#!/usr/bin/env python3
"""The Debian package: packaging/container-build-steps builds it, as the
container image's build stage does (scripts/bootstrap --build-only, scripts/build, cpack); its metadata holds the name, the
project's version and dependencies computed by dpkg-shlibdeps; it holds the programs,
the fixtures, the man pages and the client's CMake package; unpacked with
`dpkg-deb -x`, its programs run from there: --version, --help, and a login with the
unpacked inspekt-auth against the unpacked mock.

usage: deb_test.py SOURCE_DIR BUILD_DIR BUILD_TYPE WORK_DIR VERSION MAN_PAGES(ON|OFF)
"""
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packaging_support import Checks, clean_env, mock, run  # noqa: E402

source, build_dir, build_type, work, version, man_pages = sys.argv[1:7]
programs = ["inspekt-mock", "inspekt-conformance", "inspekt-auth"]
checks = Checks()

shutil.rmtree(work, ignore_errors=True)
# The build tree is the one under test, with its own build type: nothing is rebuilt.
run([os.path.join(source, "packaging", "container-build-steps"), work],
    env={**clean_env, "BUILD_DIR": build_dir, "BUILD_TYPE": build_type})
debs = glob.glob(os.path.join(work, "*.deb"))
if len(debs) != 1:
    sys.exit(f"FAIL: expected one .deb in {work}, found {debs}")
deb = debs[0]
print(f"package {os.path.basename(deb)}: {os.path.getsize(deb)} bytes")


def field(name):
    return run(["dpkg-deb", "-f", deb, name]).stdout.strip()


checks.check(field("Package") == "inspekt-mock", f"Package: {field('Package')}")
checks.check(field("Version") == version, f"Version: {field('Version')} (project {version})")
depends = [d.strip().split(" ")[0] for d in field("Depends").split(",") if d.strip()]
# Computed, not written by hand: each shared library the programs link is there.
for library in ("libc6", "libstdc++6", "libssl3", "libhttp-parser2.9"):
    checks.check(library in depends, f"Depends names {library} (shlibdeps): {field('Depends')}")

listing = run(["dpkg-deb", "-c", deb]).stdout
files = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
expected = [f"/usr/bin/{program}" for program in programs]
expected += [f"/usr/share/inspekt/fixtures/default/{name}.json"
             for name in ("keys", "responses", "tokens", "session")]
expected += ["/usr/include/inspekt/client/auth_client.hpp"]
expected += ["/usr/share/doc/inspekt/README.md", "/usr/share/doc/inspekt/docs/admin-api.md"]
if man_pages == "ON":
    expected += [f"/usr/share/man/man1/{page}.1"
                 for page in programs + ["inspekt-auth-login", "inspekt-auth-call", "inspekt-auth-decode"]]
for path in expected:
    checks.check(path in files, f"the package holds {path}")
checks.check(any(p.endswith("/cmake/inspekt/inspektConfig.cmake") for p in files),
             "the package holds the CMake package (inspektConfig.cmake)")

root = os.path.join(work, "unpacked")
run(["dpkg-deb", "-x", deb, root])
bin_dir = os.path.join(root, "usr", "bin")
for program in programs:
    path = os.path.join(bin_dir, program)
    out = run([path, "--version"]).stdout.strip()
    checks.check(out == f"{program} {version}", f"unpacked {program} --version: {out!r}")
    help_text = run([path, "--help"]).stdout
    checks.check(f"Usage: {program}" in help_text or program in help_text.splitlines()[0],
                 f"unpacked {program} --help")

with mock(os.path.join(bin_dir, "inspekt-mock"), "--fixtures",
          os.path.join(root, "usr", "share", "inspekt", "fixtures", "default")) as url:
    done = subprocess.run([os.path.join(bin_dir, "inspekt-auth"), "login", "--base-url", url],
                          capture_output=True, text=True, timeout=30,
                          env={**clean_env, "INSPEKT_API_KEY": "demo-valid-key"})
    try:
        credentials = json.loads(done.stdout)
    except ValueError:
        credentials = {}
    checks.check(done.returncode == 0 and credentials.get("session", "").startswith("in"),
                 f"unpacked inspekt-auth logs in to the unpacked mock (exit {done.returncode}) "
                 f"{done.stderr.strip()}")
checks.finish()
