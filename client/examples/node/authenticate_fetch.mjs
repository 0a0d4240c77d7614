// The vendor's Node.js example (Authentication API page), with Node's built-in
// fetch (Node 18+) instead of node-fetch: the only other change is the import.
// Changed from the page in where the URL and key come from (the environment),
// plus a check after the vendor's console.log so that a wrong answer fails the run.
const url = process.env.INSPEKT_BASE_URL + "/api/authenticate";
const key = process.env.INSPEKT_API_KEY;

(async () => {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      key: key,
      client_id: "inspekt-examples"
    })
  });
  const data = await res.json();
  console.log(data);

  // Added: exit non-zero unless 200 with the three documented string fields.
  const fields = ["session", "access_token", "refresh_token"];
  if (res.status !== 200 || !fields.every((f) => typeof data[f] === "string")) {
    console.error(`expected 200 with ${fields.join(", ")} as strings; got ${res.status}`);
    process.exitCode = 1;
  }
})();
