#!/usr/bin/env node
// The dashboard (docs/dashboard.md) in a real browser: Debian's chromium, headless,
// driven by puppeteer-core from scripts/npm. It starts its own mocks on free loopback
// ports and checks what a person would see:
// - the page loads and polls with no console error, no failed request and no
//   Content-Security-Policy violation (an inline script or style the policy does not
//   hash, an asset from elsewhere);
// - a login sent from outside the browser is in the table within 2 s, with its reason;
//   a filter hides it; a row opens, by keyboard, to the whole entry;
// - advancing the clock from the page moves GET /__admin/clock;
// - revoking a key from the page makes the next login with it 401;
// - a refused reload shows its [fixture.*] message;
// - at 400 px wide nothing but the tables scrolls sideways;
// - with an admin token the page shows nothing until the token is given, and a wrong
//   one is refused.
// It saves a screenshot (--screenshot FILE; docs/img/dashboard.png is one).
//
// Usage: dashboard_browser_test.mjs --bin INSPEKT_MOCK [--screenshot FILE] [--chromium PATH]
// Every step is bounded; the whole run is stopped after 90 s. Only 127.0.0.1 is reached:
// chromium is told to resolve no other name.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startMock as startMockAt } from "../../test_support/start_mock.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const requireTool = createRequire(join(root, "scripts", "npm", "package.json"));
const puppeteer = requireTool("puppeteer-core");

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const bin = option("--bin");
const screenshot = option("--screenshot");
const chromium = option("--chromium") ?? process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!bin) {
  console.error("usage: dashboard_browser_test.mjs --bin INSPEKT_MOCK [--screenshot FILE] [--chromium PATH]");
  process.exit(2);
}
if (!existsSync(chromium)) {
  console.error(`error: no chromium at ${chromium} (scripts/bootstrap installs Debian's chromium)`);
  process.exit(2);
}

const running = [];
const work = mkdtempSync(join(tmpdir(), "inspekt-dashboard-"));
let browser = null;
let failures = 0;
let step = 0;
function ok(condition, what) {
  step += 1;
  console.log(`${condition ? "ok" : "not ok"} ${step} - ${what}`);
  if (!condition) failures += 1;
}
async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  running.forEach((child) => child.kill("SIGTERM"));
  rmSync(work, { recursive: true, force: true });
}
const deadline = setTimeout(async () => {
  console.log("not ok - the run took longer than 90 s");
  await cleanup();
  process.exit(1);
}, 90000);

const startMock = (extra, env = {}) => startMockAt(resolve(bin), running, extra, env);

// A login from outside the browser, as an app would send it.
async function login(base, key, clientId, headers = {}) {
  const response = await fetch(`${base}/api/authenticate`, {
    method: "POST", headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ key, client_id: clientId }),
  });
  await response.arrayBuffer();
  return response.status;
}
async function adminGet(base, path, token) {
  const response = await fetch(base + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return response.json();
}

// Everything the page reports that a person would count as broken: console errors,
// script errors, failed or refused requests, CSP violations (reported to the page as
// securitypolicyviolation events, counted before any of its own script runs).
// `expected` lists statuses of the admin API's the current step provokes on purpose.
function watch(page, problems, expected) {
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    const status = /status of (\d{3})/.exec(text);
    if (status && expected.has(Number(status[1]))) return;
    problems.push(`console: ${text}`);
  });
  page.on("pageerror", (error) => problems.push(`script: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400 && !expected.has(response.status())) {
      problems.push(`answer ${response.status()}: ${response.url()}`);
    }
  });
  return page.evaluateOnNewDocument(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
}
const violations = (page) => page.evaluate(() => window.__violations);
const rowOf = (page, clientId) =>
  page.evaluate((id) => [...document.querySelectorAll("#journal-rows tr:not(.detail)")]
    .filter((tr) => tr.textContent.includes(id)).map((tr) => tr.textContent), clientId);
async function typeInto(page, selector, text) {
  await page.click(selector, { clickCount: 3 });
  await page.keyboard.press("Backspace");
  await page.type(selector, text);
}

let page = null;
const problems = [];
try {
  const fixtureDir = join(work, "fixtures");
  cpSync(join(root, "fixtures", "default"), fixtureDir, { recursive: true });
  const base = await startMock(["--fixtures", fixtureDir, "--seed", "7"]);
  const tokenBase = await startMock([], { INSPEKT_ADMIN_TOKEN: "dashboard-test-token-not-a-secret" });

  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: join(work, "profile"),
    args: [
      "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-domain-reliability", "--no-proxy-server",
      // Loopback only: every other host name fails to resolve.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });

  // --- the open mock ---------------------------------------------------------------
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const expected = new Set();
  await watch(page, problems, expected);
  const response = await page.goto(`${base}/__admin/`, { waitUntil: "load", timeout: 10000 });
  ok(response.status() === 200, "GET /__admin/ answers 200");
  ok(/default-src 'none'/.test(response.headers()["content-security-policy"] ?? ""),
    "the page comes with a Content-Security-Policy of default-src 'none'");
  await page.waitForFunction(() => document.getElementById("poll-state").textContent === "live", { timeout: 5000 });
  await page.waitForFunction(() => document.querySelectorAll("#key-rows tr").length > 0, { timeout: 5000 });
  ok(await page.$eval("#key-rows", (t) => t.textContent.includes("5 logins a minute")), "the keys are listed with their labels");
  ok(await page.$eval("#quota-rows", (t) => t.textContent.includes("0 of 5 in 60 s")), "the quota of the rate-limited key shows 0 of 5 in use");

  const clientId = `dash-${process.pid}`;
  const sent = Date.now();
  ok(await login(base, "not-a-key-of-the-fixtures", clientId) === 401, "a login with an unknown key is 401");
  let seenIn = -1;
  try {
    await page.waitForFunction((id) => [...document.querySelectorAll("#journal-rows tr")]
      .some((tr) => tr.textContent.includes(id)), { timeout: 2000, polling: 50 }, clientId);
    seenIn = Date.now() - sent;
  } catch (e) { /* reported below */ }
  ok(seenIn >= 0, `the login is in the table within 2 s (${seenIn} ms)`);
  const row = (await rowOf(page, clientId))[0] ?? "";
  ok(row.includes("401") && row.includes("unknown_key") && row.includes("not-..."),
    `its row shows status, answer and key hint (${row})`);

  ok(await login(base, "demo-valid-key", clientId, { Prefer: "code=429" }) === 429, "a login with Prefer: code=429 is 429");
  await page.waitForFunction((id) => [...document.querySelectorAll("#journal-rows tr")]
    .some((tr) => tr.textContent.includes("prefer") && tr.textContent.includes(id)), { timeout: 3000 }, clientId);
  ok(true, "the table shows why it was refused (reason prefer)");
  ok(await login(base, "demo-valid-key", clientId, { "Content-Type": "text/plain" }) === 400, "a login sent as text/plain is 400");
  await page.waitForFunction(() => [...document.querySelectorAll("#journal-rows tr")]
    .some((tr) => tr.textContent.includes("content_type")), { timeout: 3000 });
  ok(true, "the table shows why it was refused (reason content_type)");

  await typeInto(page, "#f-client", "someone-else");
  ok((await rowOf(page, clientId)).length === 0, "a client_id filter hides the login");
  await typeInto(page, "#f-client", clientId);
  ok((await rowOf(page, clientId)).length === 2, "the same filter on its client_id shows both its logins");
  await typeInto(page, "#f-status", "5xx");
  ok((await rowOf(page, clientId)).length === 0, "a status filter (5xx) hides them");
  await typeInto(page, "#f-status", "401");
  ok((await rowOf(page, clientId)).length === 1, "status 401 shows the unknown key's login alone");
  await typeInto(page, "#f-reason", "prefer");
  ok((await rowOf(page, clientId)).length === 0, "status 401 and reason prefer together show none");
  await typeInto(page, "#f-status", "");
  ok((await rowOf(page, clientId)).length === 1, "reason prefer alone shows the 429");
  for (const f of ["#f-status", "#f-reason", "#f-client"]) await typeInto(page, f, "");

  // A row opens to the whole entry, from the keyboard.
  await page.focus(`#journal-rows tr[data-id] button`);
  await page.keyboard.press("Enter");
  const detail = await page.$eval("#journal-rows tr.detail pre", (p) => p.textContent).catch(() => "");
  ok(/"duration_ms"/.test(detail) && /"prefer"/.test(detail), "Enter on a row's button opens the whole entry");

  // The clock, moved from the page.
  const before = (await adminGet(base, "/__admin/clock")).now;
  await typeInto(page, "#advance-seconds", "3600");
  await page.click("#advance");
  await page.waitForFunction(() => document.getElementById("clock-out").textContent.startsWith("200"), { timeout: 3000 });
  const after = (await adminGet(base, "/__admin/clock")).now;
  ok(after - before >= 3600 && after - before < 3660, `advancing 3600 s from the page moved GET /__admin/clock by ${after - before} s`);

  // A key revoked from the page.
  ok(await login(base, "demo-valid-key", clientId) === 200, "demo-valid-key logs in before the revocation");
  await page.type("#revoke-key", "demo-valid-key");
  await page.click("#revoke");
  await page.waitForFunction(() => document.getElementById("keys-out").textContent.startsWith("200"), { timeout: 3000 });
  ok(await login(base, "demo-valid-key", clientId) === 401, "after a revocation from the page the next login is 401");
  await page.waitForFunction(() => [...document.querySelectorAll("#key-rows tr")].some((tr) => tr.textContent.includes("revoked here")), { timeout: 5000 });
  ok(true, "the keys table marks the key revoked");

  // Reload: a good one, then a refused one with its [fixture.*] message.
  await page.click("#reload");
  await page.waitForFunction(() => /^200 /.test(document.getElementById("fixtures-out").textContent), { timeout: 5000 });
  ok(await page.$eval("#fixtures-out", (o) => o.textContent.includes("\"reloaded\"")), "reload from the page shows the admin API's 200");
  writeFileSync(join(fixtureDir, "keys.json"), "{\"keys\": [");
  expected.add(422);
  await page.click("#reload");
  await page.waitForFunction(() => /^422 /.test(document.getElementById("fixtures-out").textContent), { timeout: 5000 });
  const refused = await page.$eval("#fixtures-out", (o) => o.textContent);
  ok(/\[fixture\.[a-z-]+\]/.test(refused), `a refused reload shows its [fixture.*] message (${refused.replace(/\s+/g, " ").slice(0, 90)})`);
  expected.delete(422);

  // Traffic of every kind for the chart and the screenshot.
  const kinds = ["demo-rate-limited-key", "demo-expired-key", "demo-error-key", "demo-unavailable-key", "nope-key", "demo-flaky-key"];
  // Over about 3 s, so that the chart has more than one bar.
  for (let i = 0; i < 30; i += 1) {
    await login(base, kinds[i % kinds.length], `app-${i % 3}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.waitForFunction(() => document.querySelectorAll("#chart rect.g5").length > 0, { timeout: 5000 });
  ok(true, "the chart draws the 5xx answers");
  await page.waitForFunction(() => document.getElementById("quota-rows").textContent.includes("5 of 5"), { timeout: 5000 });
  ok(true, "quotas in use: the rate-limited key shows 5 of 5");
  if (screenshot) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot, fullPage: true });
    ok(existsSync(screenshot), `screenshot saved: ${screenshot}`);
  }

  await page.setViewport({ width: 400, height: 800 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  ok(wide <= 400, `at 400 px wide the page does not scroll sideways (${wide} px)`);

  ok((await violations(page)).length === 0, `no Content-Security-Policy violation (${(await violations(page)).join("; ")})`);
  ok(problems.length === 0, `no console error, no failed request (${problems.join("; ")})`);

  // --- a mock with an admin token ---------------------------------------------------
  const locked = await browser.newPage();
  const lockedProblems = [];
  const refusals = new Set([401]); // the page's calls before the token: refused on purpose
  await watch(locked, lockedProblems, refusals);
  await locked.goto(`${tokenBase}/__admin/ui`, { waitUntil: "load", timeout: 10000 });
  await locked.waitForFunction(() => !document.getElementById("token-panel").hidden, { timeout: 5000 });
  await login(tokenBase, "demo-valid-key", "behind-the-token");
  await new Promise((r) => setTimeout(r, 1500));
  ok((await locked.$eval("#journal-rows", (t) => t.textContent)) === "" &&
     (await locked.$eval("#key-rows", (t) => t.textContent)) === "",
    "with a token set, the page shows no journal and no keys until it is given");
  await locked.type("#token-input", "a-wrong-token");
  await locked.click("#token-submit");
  await locked.waitForFunction(() => !document.getElementById("token-panel").hidden &&
    document.getElementById("token-why").textContent.includes("refused"), { timeout: 5000 });
  ok(true, "a wrong token is refused and asked for again");
  await locked.type("#token-input", "dashboard-test-token-not-a-secret");
  await locked.click("#token-submit");
  await locked.waitForFunction(() => [...document.querySelectorAll("#journal-rows tr")]
    .some((tr) => tr.textContent.includes("behind-the-token")), { timeout: 5000 });
  ok(await locked.evaluate(() => document.getElementById("token-panel").hidden), "the right token opens the page: the login behind it is listed");
  ok((await violations(locked)).length === 0 && lockedProblems.length === 0,
    `behind the token: no CSP violation, no console error but the 401s (${lockedProblems.join("; ")})`);
} catch (error) {
  const seen = page ? await violations(page).catch(() => []) : [];
  ok(false, `the run stopped: ${error.message} (CSP violations: ${seen.join("; ") || "none"}; ` +
    `problems: ${problems.join("; ") || "none"})`);
}
clearTimeout(deadline);
await cleanup();
console.log(failures === 0 ? `# all ${step} checks passed` : `# ${failures} of ${step} checks failed`);
process.exit(failures === 0 ? 0 : 1);
