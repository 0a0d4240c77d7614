#!/usr/bin/env python3
"""cmake --install into a fresh prefix, then use it as a user would:
the three programs print the project's version; the default fixtures are files that
the installed mock accepts; a man page per program (when help2man was found); a small
consumer project (packaging/tests/consumer) finds inspekt::client with
find_package(inspekt CONFIG), builds, and logs in to the installed mock.

usage: install_test.py BUILD_DIR CONSUMER_SOURCE WORK_DIR VERSION MAN_PAGES(ON|OFF) [LAUNCHER]
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packaging_support import Checks, clean_env, mock, run  # noqa: E402

build_dir, consumer_source, work, version, man_pages = sys.argv[1:6]
launcher = sys.argv[6] if len(sys.argv) > 6 else ""
programs = ["inspekt-mock", "inspekt-conformance", "inspekt-auth"]
checks = Checks()

# Fixed folders in the build tree (wiped first): the consumer's compile hits ccache.
prefix = os.path.join(work, "prefix")
consumer_build = os.path.join(work, "consumer-build")
for folder in (prefix, consumer_build):
    shutil.rmtree(folder, ignore_errors=True)
run(["cmake", "--install", build_dir, "--prefix", prefix])

for program in programs:
    path = os.path.join(prefix, "bin", program)
    if checks.check(os.access(path, os.X_OK), f"bin/{program} installed"):
        out = run([path, "--version"]).stdout.strip()
        checks.check(out == f"{program} {version}", f"bin/{program} --version prints {program} {version} (got {out!r})")

fixtures = os.path.join(prefix, "share", "inspekt", "fixtures", "default")
for name in ("keys.json", "responses.json", "tokens.json", "session.json", "gate.json"):
    checks.check(os.path.isfile(os.path.join(fixtures, name)), f"fixtures/default/{name} installed")
check = subprocess.run([os.path.join(prefix, "bin", "inspekt-mock"), "--check-fixtures", fixtures],
                       capture_output=True, text=True, env=clean_env)
checks.check(check.returncode == 0 and "fixtures OK" in check.stdout,
             "the installed mock accepts the installed fixtures")

for program in programs:
    page = os.path.join(prefix, "share", "man", "man1", program + ".1")
    if man_pages == "ON":
        text = open(page).read() if os.path.isfile(page) else ""
        # help2man's title line and a flag from --help: the page is the program's, not empty.
        checks.check(f'.TH {program.upper()} "1"' in text and "\\-\\-help" in text and version in text,
                     f"man page {program}.1 from --help, with the version")
    else:
        print(f"skip man page {program}.1: help2man was not found at configure time")

for path in ("include/inspekt/client/auth_client.hpp", "include/inspekt/client/auth_session.hpp",
             "include/inspekt/core/version.hpp", "include/inspekt/core/jwt.hpp",
             "lib/cmake/inspekt/inspektConfig.cmake", "lib/cmake/inspekt/inspektConfigVersion.cmake"):
    checks.check(os.path.isfile(os.path.join(prefix, path)), f"{path} installed")
checks.check(not os.path.exists(os.path.join(prefix, "include", "inspekt", "mock")),
             "no mock_server header is installed (only the client's)")

# Two libraries, the client over the core, and nothing of the mock.
libraries = sorted(os.listdir(os.path.join(prefix, "lib")))
checks.check([f for f in libraries if f.endswith(".a")] == ["libinspekt_client.a", "libinspekt_core.a"],
             f"lib/ holds libinspekt_client.a and libinspekt_core.a only (got {libraries})")
targets_file = os.path.join(prefix, "lib", "cmake", "inspekt", "inspektTargets.cmake")
targets = open(targets_file).read() if os.path.isfile(targets_file) else ""
exported = sorted(set(re.findall(r"add_library\((inspekt::\w+)", targets)))
checks.check(exported == ["inspekt::client", "inspekt::core"],
             f"the package exports inspekt::client and inspekt::core (got {exported})")

# The consumer, against the prefix only: no package registry, no build tree.
configure = ["cmake", "-S", consumer_source, "-B", consumer_build, "-DCMAKE_BUILD_TYPE=Release",
             f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"]
env = dict(clean_env)
if launcher:
    configure.append(f"-DCMAKE_CXX_COMPILER_LAUNCHER={launcher}")
    env.setdefault("CCACHE_NOHASHDIR", "1")
run(configure, env=env)
run(["cmake", "--build", consumer_build], env=env)

with mock(os.path.join(prefix, "bin", "inspekt-mock")) as url:
    done = subprocess.run([os.path.join(consumer_build, "login")], capture_output=True, text=True,
                          timeout=30, env={**clean_env, "INSPEKT_BASE_URL": url,
                                           "INSPEKT_API_KEY": "demo-valid-key"})
    checks.check(done.returncode == 0 and done.stdout.startswith(f"inspekt {version} session in"),
                 f"the consumer logs in to the installed mock: {done.stdout.strip()!r} "
                 f"{done.stderr.strip()!r}")
checks.finish()
