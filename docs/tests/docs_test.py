#!/usr/bin/env python3
"""The documentation against what exists:

  flags BIN [SUBCOMMAND...] : every long flag the program's --help prints (and each
                              subcommand's) is documented in README.md or docs/
  references                : every file the documentation names exists in the repository
  synopsis BIN              : README.md's synopsis of the program (the code block that
                              starts with its name) names every long flag of its --help
  anchors [BIN...]          : every FILE.md#anchor named in the documentation or in a
                              program's --help (and its subcommands') is a heading there

usage: docs_test.py REPO_ROOT flags BINARY [SUBCOMMAND...]
       docs_test.py REPO_ROOT references
       docs_test.py REPO_ROOT synopsis BINARY
       docs_test.py REPO_ROOT anchors [BINARY [SUBCOMMAND...]]
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


def help_text(binary, command=()):
    proc = subprocess.run([binary, *command, "--help"], capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        sys.exit(f"docs_test: {binary} {' '.join(command)} --help exits {proc.returncode}")
    return proc.stdout


def long_flags(text):
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", text)))


def heading_anchors(path):
    """GitHub's anchors of a Markdown file's headings: lower case, punctuation dropped,
    spaces as hyphens; a repeated heading gets -1, -2, ..."""
    anchors, seen = set(), {}
    in_code = False
    for line in read(path).splitlines():
        if line.startswith("```"):
            in_code = not in_code
        match = None if in_code else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            slug = re.sub(r"[^\w\- ]", "", match.group(1).lower()).replace(" ", "-")
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


if check == "flags":
    binary, subcommands = sys.argv[3], sys.argv[4:]
    docs = "\n".join(read(f) for f in documentation_files()
                     if f == os.path.join(root, "README.md") or "/docs/" in f)
    missing = []
    for command in [[]] + [[s] for s in subcommands]:
        flags = long_flags(help_text(binary, command))
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
    # capitalised documents (README.md, say) anywhere in the text.
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
elif check == "synopsis":
    binary = sys.argv[3]
    program = os.path.basename(binary)
    blocks = re.findall(r"^```\n(" + re.escape(program) + r" \[.*?)^```", read(os.path.join(root, "README.md")),
                        re.S | re.M)
    if len(blocks) != 1:
        sys.exit(f"docs_test: README.md has {len(blocks)} synopsis blocks of {program}, not one")
    # The flags --help defines (an option line's first long name), not those its text
    # mentions of other programs (--ca-file of inspekt-auth, curl's --cacert).
    defined = sorted(set(re.findall(r"^\s+(?:-\w,\s?)?(--[a-z][a-z0-9-]+)", help_text(binary), re.M)))
    missing = [f for f in defined if f != "--help" and
               not re.search(re.escape(f) + r"(?![a-z0-9-])", blocks[0])]
    if missing:
        sys.exit(f"docs_test: README.md's synopsis of {program} omits " + ", ".join(missing))
    print(f"docs_test: README.md's synopsis of {program} names every flag of its --help")

elif check == "anchors":
    texts = [(os.path.relpath(f, root), read(f), os.path.dirname(f)) for f in documentation_files()]
    if len(sys.argv) > 3:
        binary, subcommands = sys.argv[3], sys.argv[4:]
        for command in [[]] + [[s] for s in subcommands]:
            name = " ".join([os.path.basename(binary), *command, "--help"])
            texts.append((name, help_text(binary, command), root))
    reference = re.compile(r"([\w./-]*\.md)#([\w-]+)")
    missing, checked = [], 0
    for name, text, folder in texts:
        for path, anchor in sorted(set(reference.findall(text))):
            target = os.path.normpath(os.path.join(folder, path)) if path else None
            if target is None or not os.path.isfile(target):
                target = os.path.normpath(os.path.join(root, path))
            if not os.path.isfile(target):
                continue  # a missing file is the references check's to report
            checked += 1
            if anchor not in heading_anchors(target):
                missing.append(f"{name}: {path}#{anchor}")
    if missing:
        sys.exit("docs_test: anchors that are no heading of their file:\n  " + "\n  ".join(missing))
    print(f"docs_test: {checked} FILE.md#anchor references, each a heading")

else:
    sys.exit(f"docs_test: no check {check}")
