#!/usr/bin/env python3
"""The installed man pages against the programs' own --help: cmake --install into a
fresh prefix, then for each program and each subcommand (inspekt-auth-login(1), ...):
- its page is installed, and every flag its --help defines is in it;
- every docs/NAME.md (or README.md) a page names is installed (share/doc/inspekt/);
- an "Examples:" block of --help is in the page line for line, as written (help2man read
  it as a list of options: a comment became a description, a continued line a paragraph).

usage: man_pages_test.py BUILD_DIR WORK_DIR PAGE=BINARY[:SUBCOMMAND]...
"""
import os
import re
import shutil
import subprocess
import sys

build_dir, work, *pages = sys.argv[1:]
prefix = os.path.join(work, "prefix")
shutil.rmtree(prefix, ignore_errors=True)
subprocess.run(["cmake", "--install", build_dir, "--prefix", prefix], check=True,
               stdout=subprocess.DEVNULL)
man1 = os.path.join(prefix, "share", "man", "man1")
doc = os.path.join(prefix, "share", "doc", "inspekt")
failures = []


def roff_to_text(roff):
    """The words of a page as a reader searches them: escapes undone, requests dropped."""
    text = roff.replace("\\-", "-").replace("\\e", "\\").replace("\\(aq", "'").replace("\\&", "")
    text = re.sub(r"\\f[BIRP]", "", text)
    return "\n".join(line for line in text.splitlines() if not line.startswith((".", "'\\\"")))


checked_flags = 0
for spec in pages:
    page, _, command = spec.partition("=")
    binary, _, subcommand = command.partition(":")
    path = os.path.join(man1, page + ".1")
    if not os.path.isfile(path):
        failures.append(f"{page}.1 is not installed")
        continue
    with open(path, encoding="utf-8") as f:
        roff = f.read()
    text = roff_to_text(roff)
    helped = subprocess.run([binary, *([subcommand] if subcommand else []), "--help"],
                            capture_output=True, text=True, timeout=30).stdout
    flags = sorted(set(re.findall(r"^\s+(?:-\w,\s?)?(--[a-z][a-z0-9-]+)", helped, re.M)))
    if not flags:
        failures.append(f"{page}: no flag found in its --help")
    for flag in flags:
        checked_flags += 1
        if not re.search(re.escape(flag) + r"(?![a-z0-9-])", text):
            failures.append(f"{page}.1 lacks {flag} (from {os.path.basename(binary)} {subcommand} --help)")
    for name in sorted(set(re.findall(r"(?<![\w/.-])((?:docs/)?[\w-]+\.md)\b", text))):
        if not os.path.isfile(os.path.join(doc, name)):
            failures.append(f"{page}.1 names {name}, which the install does not ship "
                            f"(looked in share/doc/inspekt/)")
    examples = re.search(r"\nExamples:\n(.*?)(?:\n\n|\Z)", helped, re.S)
    if examples:
        section = re.search(r"^\.SH EXAMPLES\n(.*?)(?=^\.SH )", roff, re.S | re.M)
        body = roff_to_text(section.group(1)) if section else ""
        for line in examples.group(1).splitlines():
            if line not in body.splitlines():
                failures.append(f"{page}.1: the example line {line.strip()!r} is not in EXAMPLES as written")

if failures:
    sys.exit("man_pages_test:\n  " + "\n  ".join(failures))
print(f"PASS: {len(pages)} man pages, {checked_flags} flags of --help, each in its page")
