import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prepareDatabase } from "../lib/bootstrap";
import type { EmbeddedDb } from "../lib/db/embedded";
import { spawnEmbeddedPostgres } from "../lib/db/embedded-process";
import { dataDir, env } from "../lib/env";
import { buildWeb, webBuildIsCurrent } from "../lib/web-build";

// `npm start`: PostgreSQL (embedded unless DATABASE_URL is set) → migrations, demo data, starter
// model, first admin → web build if sources changed → web server and one worker as child
// processes. Ctrl-C stops them all, then PostgreSQL.

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const started = Date.now();
const say = (line: string) => console.log(`[start] ${line}`);

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the web server exited with code ${child.exitCode}`);
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
  let embedded: EmbeddedDb | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    say(`Starting the embedded PostgreSQL (data in ${path.join(dataDir(), "pg")}, port ${e.PG_PORT})`);
    embedded = await spawnEmbeddedPostgres({ dataDir: dataDir(), port: e.PG_PORT });
    await embedded.ensureDatabase("finetune");
    url = embedded.urlFor("finetune");
  } else {
    say("Using the PostgreSQL at DATABASE_URL");
  }

  const children: ChildProcess[] = [];
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say("Stopping…");
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => (c.kill("SIGKILL"), resolve()), 10_000);
            c.once("exit", () => (clearTimeout(t), resolve()));
          }),
      ),
    );
    if (embedded) await embedded.stop().catch(() => {});
    say("Stopped.");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
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
    const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
    const web = spawn(process.execPath, [nextBin, "start", "-p", String(e.PORT)], { cwd: root, env: { ...childEnv, NODE_ENV: "production" }, stdio: "inherit" });
    const worker = spawn(process.execPath, ["--import", "tsx", path.join(root, "worker", "index.ts")], { cwd: root, env: childEnv, stdio: "inherit" });
    children.push(web, worker);
    for (const [name, c] of [["web server", web], ["worker", worker]] as const) {
      c.on("exit", (code, signal) => {
        if (!shuttingDown) {
          console.error(`[start] The ${name} exited (${signal ?? `code ${code}`}); stopping everything.`);
          void shutdown(1);
        }
      });
    }
    const base = `http://localhost:${e.PORT}`;
    await waitForHttp(`${base}/login`, web);
    say(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${base}`);
    if (prepared.admin?.generated) {
      say(`First start: created the admin ${prepared.admin.email} with password ${prepared.admin.password}`);
      say("This password is shown only once. (Set ADMIN_EMAIL and ADMIN_PASSWORD before the first start to choose them.)");
    } else if (prepared.admin) {
      say(`First start: created the admin ${prepared.admin.email} with the password from ADMIN_PASSWORD`);
    } else {
      say("Log in with your existing account.");
    }
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    await shutdown(1);
  }
}

void main();
