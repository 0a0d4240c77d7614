#!/bin/sh
# The vendor's cURL example (Authentication API page), run against the mock.
# Changed from the page in where the URL and key come from (the environment): the
# body is read from stdin (-d @-) so that the key never sits in curl's argv, where
# `ps` would show it. Added: the body goes through a temporary file so that the
# status can be checked too; the run fails unless 200 with the three string fields.
set -eu
body=$(mktemp)
trap 'rm -f "$body"' EXIT

status=$(curl -sS -o "$body" -w '%{http_code}' \
  -X POST "$INSPEKT_BASE_URL/api/authenticate" \
  -H "Content-Type: application/json" \
  -d @- <<JSON
{
"key": "$INSPEKT_API_KEY",
"client_id": "inspekt-examples"
}
JSON
)
cat "$body"; echo

if [ "$status" != 200 ] ||
   ! jq -e '[.session, .access_token, .refresh_token] | all(type == "string")' "$body" >/dev/null 2>&1; then
  echo "expected 200 with session, access_token and refresh_token as strings; got $status" >&2
  exit 1
fi
