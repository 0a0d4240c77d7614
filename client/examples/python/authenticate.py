# The vendor's Python example (Authentication API page), run against the mock.
# Changed from the page only in where the URL and key come from (the environment),
# plus a check after the vendor's print so that a wrong answer fails the run.
import os
import sys

import requests

url = os.environ["INSPEKT_BASE_URL"] + "/api/authenticate"
payload = {
    "key": os.environ["INSPEKT_API_KEY"],
    "client_id": "inspekt-examples"
}
headers = {"Content-Type": "application/json"}
response = requests.post(url, json=payload, headers=headers)
print(response.json())

# Added: exit non-zero unless 200 with the three documented string fields.
body = response.json()
fields = ("session", "access_token", "refresh_token")
if response.status_code != 200 or not all(isinstance(body.get(f), str) for f in fields):
    sys.exit(f"expected 200 with {', '.join(fields)} as strings; got {response.status_code}")
