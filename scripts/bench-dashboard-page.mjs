#!/usr/bin/env node
// A helper of scripts/bench (--only dashboard): holds the dashboard page of a running
// mock open in headless chromium, polling as a person's tab would, until stdin closes.
// Prints "live" once the page polls, and at the end the admin calls the page made and
// the CPU seconds chromium's processes used meanwhile.
// Usage: bench-dashboard-page.mjs BASE_URL [--chromium PATH]
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const puppeteer = createRequire(join(here, "npm", "package.json"))("puppeteer-core");
const [base] = process.argv.slice(2);
const at = process.argv.indexOf("--chromium");
const chromium = at > 0 ? process.argv[at + 1] : process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!base) {
  console.error("usage: bench-dashboard-page.mjs BASE_URL [--chromium PATH]");
  process.exit(2);
}

// utime + stime of a process and its descendants, in clock ticks (/proc/PID/stat).
function cpuTicks(pid) {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += Number(fields[11]) + Number(fields[12]);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        stack.push(...readFileSync(`/proc/${p}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number));
      }
    } catch { /* gone */ }
  }
  return total;
}

const browser = await puppeteer.launch({
  executablePath: chromium, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
});
const page = await browser.newPage();
let calls = 0;
page.on("request", (request) => { if (request.url().includes("/__admin/") && !request.url().endsWith("/__admin/")) calls += 1; });
await page.goto(`${base}/__admin/`, { waitUntil: "load", timeout: 10000 });
await page.waitForFunction(() => document.getElementById("poll-state").textContent === "live", { timeout: 10000 });
const pid = browser.process().pid;
const startTicks = cpuTicks(pid);
const started = Date.now();
calls = 0;
console.log("live");
process.stdin.resume();
process.stdin.on("end", async () => {
  const seconds = (Date.now() - started) / 1000;
  const cpu = (cpuTicks(pid) - startTicks) / 100; // USER_HZ is 100 on Linux
  console.log(`calls=${calls} seconds=${seconds.toFixed(1)} chromium_cpu_s=${cpu.toFixed(1)}`);
  await browser.close();
  process.exit(0);
});
