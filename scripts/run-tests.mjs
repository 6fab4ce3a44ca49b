// `npm test`: starts one embedded PostgreSQL for the whole suite (each test file makes its own
// databases on it), builds the web app if its sources changed, then runs every test file under
// tests/ with node's test runner (unit and integration first, then the browser tests).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
process.chdir(root);
const only = process.argv.slice(2);

function find(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (e.endsWith(".test.ts")) out.push(p);
  }
  return out.sort();
}

const all = find("tests").filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
const browser = all.filter((f) => f.startsWith(path.join("tests", "browser")));
const rest = all.filter((f) => !browser.includes(f));

// The browser tests drive Debian's chromium; as root on Debian, install it when it is missing.
if (browser.length > 0 && !existsSync("/usr/bin/chromium")) {
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    console.log("[tests] installing Debian's chromium for the browser tests…");
    spawnSync("apt-get", ["update"], { stdio: "inherit" });
    spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  if (!existsSync("/usr/bin/chromium")) {
    console.error("[tests] the browser tests need /usr/bin/chromium: sudo apt-get install -y chromium");
    process.exit(1);
  }
}

const tmp = path.join(root, "tests", ".tmp", `run-${process.pid}`);
mkdirSync(tmp, { recursive: true });

// One PostgreSQL server for the suite.
const server = spawn(process.execPath, ["--import", "tsx", "scripts/embedded-postgres.ts", path.join(tmp, "pg-server"), "0", "--ephemeral"], { stdio: ["pipe", "pipe", "inherit"] });
const adminUrl = await new Promise((resolve, reject) => {
  let buf = "";
  server.stdout.on("data", (d) => {
    buf += d;
    const m = buf.match(/^READY (\S+)$/m);
    if (m) resolve(`${m[1]}/postgres`);
  });
  server.on("exit", (code) => reject(new Error(`test PostgreSQL exited (${code})`)));
});

// The whole suite starts with a type check of the whole repository (app, lib, worker, tests).
if (only.length === 0) {
  console.log("[tests] tsc --noEmit");
  const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error("[tests] type check failed");
    process.exit(1);
  }
}

const env = { ...process.env, TEST_PG_ADMIN_URL: adminUrl, TEST_TMP: tmp, NEXT_TELEMETRY_DISABLED: "1" };
let failed = false;

if (browser.length > 0 || rest.some((f) => f.includes("api"))) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "tests/helpers/build-web.ts"], { stdio: "inherit", env });
  if (r.status !== 0) failed = true;
}

function runNodeTests(files, concurrency) {
  if (files.length === 0) return true;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files], { stdio: "inherit", env });
  return r.status === 0;
}

if (!failed) {
  failed = !runNodeTests(rest, 2) || failed;
  failed = !runNodeTests(browser, 1) || failed;
}

server.kill("SIGTERM");
await new Promise((r) => server.once("exit", r));
rmSync(tmp, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
