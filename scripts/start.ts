import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prepareDatabase } from "../lib/prepare-database";
import type { EmbeddedDb } from "../lib/db/server-urls";
import { PRODUCT_DATABASE } from "../lib/db/embedded-connection";
import { spawnEmbeddedPostgres } from "../lib/db/embedded-process";
import { dataDir, env } from "../lib/env";
import { superviseChild, type SupervisedChild } from "../lib/process/supervised-child";
import { workerProcessArgs } from "../lib/process/worker-command";
import { buildWeb, webBuildIsCurrent } from "../lib/web-build";

// `npm start`: PostgreSQL (embedded unless DATABASE_URL is set) → migrations, demo data, starter
// model, first admin → web build if sources changed → web server and one worker as supervised
// child processes (one that dies is restarted with back-off while the other keeps running).
// Ctrl-C or SIGTERM stops them (SIGKILL after a grace period, at once on a second signal), then
// PostgreSQL, and prints "Stopped.".

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const started = Date.now();
const say = (line: string) => console.log(`[start] ${line}`);
// Whoever reads our output may be gone (a closed terminal); stopping must not fail on that.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
/** How long the web server and the worker get to stop before they are killed. */
const CHILD_GRACE_MS = 10_000;

/** A URL for `host` (an address to listen on) that this machine can connect to. */
function reachableUrl(host: string, port: number): string {
  const h = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
}

async function waitForHttp(url: string, web: SupervisedChild, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (web.exits() > 0) throw new Error("the web server exited before it was ready (see its output above)");
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the web server did not answer at ${url} within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  const e = env();
  let embedded: Promise<EmbeddedDb> | null = null;
  const children: SupervisedChild[] = [];
  let shuttingDown = false;

  const shutdown = async (code: number) => {
    if (shuttingDown) {
      say("Second signal: killing the web server and the worker now…");
      await Promise.all(children.map((c) => c.kill()));
      return;
    }
    shuttingDown = true;
    say("Stopping…");
    await Promise.all(children.map((c) => c.stop(CHILD_GRACE_MS)));
    const db = await embedded?.catch(() => null);
    await db?.stop().catch(() => {});
    say("Stopped.");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGHUP", () => void shutdown(0));
  // npm runs this script through a shell; should the process that started us go away without
  // passing a signal on (npm killed, a shell that did not exec), stop rather than run orphaned.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      say(`The parent process (pid ${parent}) is gone.`);
      void shutdown(0);
    }
  }, 1000).unref();

  try {
    let url = process.env.DATABASE_URL;
    if (!url) {
      say(`Starting the embedded PostgreSQL (data in ${path.join(dataDir(), "pg")}, port ${e.PG_PORT})`);
      embedded = spawnEmbeddedPostgres({ dataDir: dataDir(), port: e.PG_PORT });
      const db = await embedded;
      await db.ensureDatabase(PRODUCT_DATABASE);
      url = db.urlFor(PRODUCT_DATABASE);
    } else {
      say("Using the PostgreSQL at DATABASE_URL");
    }
    const prepared = await prepareDatabase(url, { adminEmail: e.ADMIN_EMAIL, adminPassword: e.ADMIN_PASSWORD, log: say });
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      NEXTAUTH_SECRET: e.NEXTAUTH_SECRET ?? prepared.authSecret,
      AUTH_TRUST_HOST: process.env.AUTH_TRUST_HOST ?? "true",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(e.PORT),
    };
    if (!(await webBuildIsCurrent(root))) {
      say("Building the web app (first start, or sources changed; about a minute)…");
      await buildWeb(root, { ...childEnv, NODE_ENV: "production" });
    }
    if (shuttingDown) return;
    const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
    const web = superviseChild({
      name: "web server",
      log: say,
      start: () =>
        spawn(process.execPath, [nextBin, "start", "-H", e.HOST, "-p", String(e.PORT)], { cwd: root, env: { ...childEnv, NODE_ENV: "production" }, stdio: "inherit" }),
    });
    const worker = superviseChild({
      name: "worker",
      log: say,
      start: () => spawn(process.execPath, workerProcessArgs(root), { cwd: root, env: childEnv, stdio: "inherit" }),
    });
    children.push(web, worker);
    say(`Started the web server (pid ${web.current()?.pid}) and a worker (pid ${worker.current()?.pid})`);
    const base = reachableUrl(e.HOST, e.PORT);
    await waitForHttp(`${base}/login`, web);
    say(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${e.HOST === "127.0.0.1" ? `http://localhost:${e.PORT}` : base}`);
    if (e.HOST !== "127.0.0.1" && e.HOST !== "localhost" && e.HOST !== "::1") {
      say(`Listening on ${e.HOST}: other machines can reach this server; put it behind TLS (a reverse proxy) before exposing it.`);
    }
    if (prepared.admin?.generated) {
      say(`First start: created the admin ${prepared.admin.email} with password ${prepared.admin.password}`);
      say("This password is shown only once. (Set ADMIN_EMAIL and ADMIN_PASSWORD before the first start to choose them.)");
    } else if (prepared.admin) {
      say(`First start: created the admin ${prepared.admin.email} with the password from ADMIN_PASSWORD`);
    } else {
      say(`Log in with your existing account. Lost the admin password? npm run admin -- reset-password ${prepared.adminEmails[0] ?? "EMAIL"}`);
    }
  } catch (err) {
    if (shuttingDown) return; // stopping already; the error is a consequence
    console.error(`[start] ${(err as Error).message}`);
    await shutdown(1);
  }
}

void main();
