#!/usr/bin/env bash
# expect_exit.sh CODE REGEX COMMAND...: passes when COMMAND exits with CODE and its
# stderr (or stdout) matches REGEX. ctest alone checks one or the other, not both.
set -u
want="$1"; pattern="$2"; shift 2
output="$("$@" 2>&1)"
got=$?
echo "$output"
if [ "$got" -ne "$want" ]; then
  echo "expect_exit: wanted exit $want, got $got" >&2
  exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$output"; then
  echo "expect_exit: output does not match: $pattern" >&2
  exit 1
fi
