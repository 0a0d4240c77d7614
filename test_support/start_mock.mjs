// Starts inspekt-mock on a free loopback port for the Node.js tests (the admin OpenAPI
// validator, the dashboard's browser test). Resolves with its base URL once the ready
// line is read; the child is pushed onto `running` for the caller to stop.
import { spawn } from "node:child_process";

export function startMock(bin, running, extra = [], env = {}) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(bin, ["--port", "0", "--quiet", ...extra], {
      stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env },
    });
    running.push(child);
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no ready line from ${bin} within 10 s`)), 10000);
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const ready = /^listening on (\S+)$/m.exec(seen);
      if (ready) { clearTimeout(timer); resolveStart(ready[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${bin} exited (${code}) before it was ready`)); });
  });
}
