#!/usr/bin/env bash
# Runs the curl line the README shows (pointed at the mock with-mock started) and
# checks the answer is the documented 200.
set -euo pipefail
readme="$1"
line="$(grep -m1 -E "^ *curl .*127\.0\.0\.1:8080/api/authenticate" "$readme")" || {
  echo "readme_curl_test: no curl line for 127.0.0.1:8080 in $readme" >&2; exit 1; }
line="${line//http:\/\/127.0.0.1:8080/$INSPEKT_BASE_URL}"
echo "running: $line"
body="$(eval "$line")"
python3 - "$body" <<'PY'
import json, sys
body = json.loads(sys.argv[1])
for field in ("session", "access_token", "refresh_token"):
    assert isinstance(body.get(field), str) and body[field], f"{field} missing in {sorted(body)}"
    if field != "session":
        assert body[field].count(".") == 2, f"{field} is not a JWT"
print("README curl line: 200 with session, access_token, refresh_token")
PY
