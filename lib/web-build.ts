import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

// `npm start` builds the web app only when its sources changed since the last build.

const SOURCES = ["app", "components", "lib", "proxy.ts", "instrumentation.ts", "next.config.mjs", "tsconfig.json", "package-lock.json"];
const STAMP = path.join(".next", "source-stamp");

async function walk(p: string, out: string[]): Promise<void> {
  const s = await stat(p).catch(() => null);
  if (!s) return;
  if (s.isDirectory()) {
    for (const e of (await readdir(p)).sort()) await walk(path.join(p, e), out);
  } else out.push(`${p}:${s.size}:${s.mtimeMs}`);
}

export async function sourceStamp(root: string): Promise<string> {
  const entries: string[] = [];
  for (const s of SOURCES) await walk(path.join(root, s), entries);
  return createHash("sha256").update(entries.join("\n")).digest("hex");
}

export async function webBuildIsCurrent(root: string): Promise<boolean> {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) return false;
  const stamp = await readFile(path.join(root, STAMP), "utf8").catch(() => "");
  return stamp === (await sourceStamp(root));
}

export async function buildWeb(root: string, env: NodeJS.ProcessEnv): Promise<void> {
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, "build"], { cwd: root, env, stdio: "inherit" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code})`))));
  });
  await writeFile(path.join(root, STAMP), await sourceStamp(root));
}
