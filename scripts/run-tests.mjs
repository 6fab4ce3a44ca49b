// `npm test`: starts one embedded PostgreSQL for the whole suite (each test file makes its own
// databases on it), builds the web app if its sources changed, then runs every test file under
// tests/ with node's test runner (unit and integration first, then the browser tests).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
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
// Under the system's temp folder: as root, PostgreSQL runs as the "postgres" user, which may not
// be able to reach a clone under a private home folder.
const pgDir = mkdtempSync(path.join(os.tmpdir(), "ftd-test-pg-"));
const server = spawn(process.execPath, ["--import", "tsx", "scripts/embedded-postgres.ts", pgDir, "0", "--ephemeral"], { stdio: ["pipe", "pipe", "inherit"] });
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

// the web app is built for the browser tests and for any test file that starts `next start`
if (browser.length > 0 || rest.some((f) => readFileSync(f, "utf8").includes("startWebProcess("))) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "tests/helpers/build-web.ts"], { stdio: "inherit", env });
  if (r.status !== 0) failed = true;
}

const totals = { pass: 0, fail: 0 };
const flaky = [];

/** Runs node's test runner on `files`, echoing its output; returns its pass/fail counts. */
function runNodeTests(files, concurrency) {
  return new Promise((resolve) => {
    if (files.length === 0) return resolve({ ok: true, pass: 0, fail: 0 });
    const child = spawn(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files], { stdio: ["ignore", "pipe", "inherit"], env });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.on("exit", (code) => {
      const count = (what) => [...out.matchAll(new RegExp(`^ℹ ${what} (\\d+)$`, "gm"))].reduce((n, m) => n + Number(m[1]), 0);
      resolve({ ok: code === 0, pass: count("pass"), fail: count("fail") || (code === 0 ? 0 : 1) });
    });
  });
}

if (!failed) {
  const r = await runNodeTests(rest, 2);
  totals.pass += r.pass;
  totals.fail += r.fail;
  failed ||= !r.ok;
  // Browser tests run one file at a time; a failed file runs once more, so that a timing flake
  // on a loaded machine is told apart from a real failure (and reported as flaky).
  for (const file of browser) {
    let b = await runNodeTests([file], 1);
    if (!b.ok) {
      console.log(`[tests] ${file} failed; running it once more to tell a flaky failure from a real one`);
      b = await runNodeTests([file], 1);
      if (b.ok) flaky.push(file);
    }
    totals.pass += b.pass;
    totals.fail += b.fail;
    failed ||= !b.ok;
  }
}

if (flaky.length) console.log(`[tests] flaky (failed once, then passed): ${flaky.join(", ")}`);
console.log(`${totals.pass} passed, ${totals.fail} failed`);

server.kill("SIGTERM");
await new Promise((r) => server.once("exit", r));
rmSync(tmp, { recursive: true, force: true });
rmSync(pgDir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
