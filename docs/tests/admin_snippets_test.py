#!/usr/bin/env python3
"""The C++ examples of the client library compile as they stand, each as the body of a
Catch2 test case, against its headers: the two of docs/client.md's "AdminClient" (a test
around the app, and the count a CI test asserts) and the one of "AuthSession". Catches
an example left behind when the API changes.

usage: admin_snippets_test.py REPO_ROOT CXX_COMPILER"""
import os, subprocess, sys, tempfile

root, compiler = sys.argv[1], sys.argv[2]


def cpp_block(path, after=None, n=0):
    """The n-th (from 0) C++ block of the file, or of its section under the heading `after`."""
    text = open(os.path.join(root, path), encoding="utf-8").read()
    if after:
        text = text.split(after, 1)[1].split("\n## ", 1)[0]
    return text.split("```cpp\n")[n + 1].split("```", 1)[0]


snippets = {
    "docs/client.md": cpp_block("docs/client.md", "## AdminClient"),
    "docs/client.md, the count": cpp_block("docs/client.md", "## AdminClient", 1),
    "docs/client.md AuthSession": cpp_block("docs/client.md", "## AuthSession"),
}
source = ['#include "inspekt/client/admin_client.hpp"',
          '#include "inspekt/client/auth_session.hpp"', "#include <catch2/catch.hpp>",
          "#include <cstdlib>", "#include <iostream>",
          "void run_the_app_against(const char *) {}  // the reader's own app"]
for n, (where, code) in enumerate(snippets.items()):
    source += [f'TEST_CASE("example {n} of {where}") {{', code, "}"]
with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
    f.write("\n".join(source) + "\n")
try:
    run = subprocess.run([compiler, "-std=c++17", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                          "-I", os.path.join(root, "client/include"),
                          "-I", os.path.join(root, "client/core/include"), f.name],
                         capture_output=True, text=True, timeout=120)
finally:
    os.unlink(f.name)
if run.returncode != 0:
    sys.exit("admin_snippets_test: a client example does not compile:\n" + run.stderr[-3000:])
print(f"PASS: {len(snippets)} client examples compile ({', '.join(snippets)})")
