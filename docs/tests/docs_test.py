#!/usr/bin/env python3
"""The documentation against what exists (issue 15):

  flags BIN [SUBCOMMAND...] : every long flag the program's --help prints (and each
                              subcommand's) is documented in README.md or docs/
  references                : every file the documentation names exists in the repository

usage: docs_test.py REPO_ROOT flags BINARY [SUBCOMMAND...]
       docs_test.py REPO_ROOT references
"""
import glob
import os
import re
import subprocess
import sys

root = sys.argv[1]
check = sys.argv[2]


def documentation_files():
    files = [os.path.join(root, "README.md")]
    for pattern in ("docs/**/*.md", "fixtures/**/*.md", "conformance/**/*.md", "client/**/*.md",
                    "mock_server/**/*.md", "scripts/**/*.md"):
        files += [f for f in glob.glob(os.path.join(root, pattern), recursive=True)
                  if "/node_modules/" not in f]
    return files


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


if check == "flags":
    binary, subcommands = sys.argv[3], sys.argv[4:]
    docs = "\n".join(read(f) for f in documentation_files()
                     if f == os.path.join(root, "README.md") or "/docs/" in f)
    missing = []
    for command in [[]] + [[s] for s in subcommands]:
        proc = subprocess.run([binary, *command, "--help"], capture_output=True, text=True,
                              timeout=30)
        if proc.returncode != 0:
            sys.exit(f"docs_test: {binary} {' '.join(command)} --help exits {proc.returncode}")
        flags = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", proc.stdout)))
        if not flags:
            sys.exit(f"docs_test: no flag found in {binary} {' '.join(command)} --help")
        for flag in flags:
            if not re.search(re.escape(flag) + r"(?![a-z0-9-])", docs):
                missing.append(f"{os.path.basename(binary)} {' '.join(command)} {flag}".replace("  ", " "))
    if missing:
        sys.exit("docs_test: flags in --help that README.md and docs/ do not mention:\n  " +
                 "\n  ".join(missing))
    print(f"docs_test: every flag of {os.path.basename(binary)} is documented")

elif check == "references":
    # Links [text](path), `code` spans that are paths (with a folder: a bare "keys.json"
    # or "cli/" names a file of the folder the text is about), and the names of
    # capitalised documents (DESIGN.md, STYLE.md) anywhere in the text.
    link = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
    code = re.compile(r"`([^`\s]+)`")
    path_like = re.compile(r"^(\.\./|\./)?[\w.-]+(/[\w.-]+)+\.[a-z]+$")
    document = re.compile(r"\b([A-Z][A-Z_-]+\.md)\b")
    every_file = {os.path.basename(p) for p in glob.glob(os.path.join(root, "**", "*"),
                                                         recursive=True)}
    missing = []
    for doc in documentation_files():
        text = read(doc)
        candidates = set(link.findall(text))
        candidates |= {c for c in code.findall(text) if path_like.match(c)}
        for name in sorted(set(document.findall(text))):
            if name not in every_file:
                missing.append(f"{os.path.relpath(doc, root)}: {name}")
        for ref in sorted(candidates):
            if re.match(r"^[a-z]+://", ref) or ref.startswith(("mailto:", "build/", "/")):
                continue  # a URL, a build product, a path on the user's machine
            here = os.path.normpath(os.path.join(os.path.dirname(doc), ref))
            top = os.path.normpath(os.path.join(root, ref))
            inside = [p for p in (here, top) if p.startswith(root + os.sep)]
            if not any(os.path.exists(p) for p in inside):
                missing.append(f"{os.path.relpath(doc, root)}: {ref}")
    if missing:
        sys.exit("docs_test: the documentation names files that are not in the repository:\n  " +
                 "\n  ".join(missing))
    print("docs_test: every file the documentation names is in the repository")
else:
    sys.exit(f"docs_test: no check {check}")
