import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { PrismaClient } from "../db/generated/client";
import { modelsDir } from "../env";

// Model versions are immutable folders addressed by the sha256 of their content. The bytes live in
// PostgreSQL (ArtifactFile) so any web or worker process on any machine can use any version; the
// folder under models/versions/<hash> is a local copy, made once the version is committed (see
// lib/runs/worker/save-candidate.ts) or on first use.

export function versionsRoot(): string {
  return path.join(modelsDir(), "versions");
}

/** Every file under `dir`, as sorted "/"-separated relative paths. */
export async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

export async function readArtifactDir(dir: string): Promise<{ hash: string; files: { path: string; bytes: Buffer }[] }> {
  const h = createHash("sha256");
  const files: { path: string; bytes: Buffer }[] = [];
  for (const rel of await listFiles(dir)) {
    const bytes = await readFile(path.join(dir, rel));
    h.update(rel).update("\0").update(String(bytes.length)).update("\0").update(bytes);
    files.push({ path: rel, bytes });
  }
  return { hash: h.digest("hex"), files };
}

// Staging folders are named after the host and process that made them, so a worker starting up can
// remove those of dead processes on this host (a SIGKILLed worker cannot clean up after itself)
// without touching those of live workers or web processes sharing the folder.
const STAGING = /^\.staging-(.+)-(\d+)-[0-9a-f]{12}$/;

/** A fresh folder to write a candidate artifact into (same filesystem as the versions, so rename is atomic). */
export async function stagingDir(): Promise<string> {
  const dir = path.join(versionsRoot(), `.staging-${os.hostname()}-${process.pid}-${randomBytes(6).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // alive, but another user's
  }
}

/** Removes the staging folders left by dead processes of this host; returns their names. */
export async function removeStaleStagingDirs(): Promise<string[]> {
  const root = versionsRoot();
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const name of await readdir(root)) {
    const m = STAGING.exec(name);
    if (!m || m[1] !== os.hostname() || isAlive(Number(m[2]))) continue;
    await rm(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** The rows that store an artifact's files in the database (content-addressed: an existing hash is kept as is). */
export function artifactRows(artifact: { hash: string; files: { path: string; bytes: Buffer }[] }) {
  return artifact.files.map((f) => ({ hash: artifact.hash, path: f.path, bytes: new Uint8Array(f.bytes) }));
}

/**
 * Makes a staged artifact this machine's local copy of `hash` (models/versions/<hash>). Called only
 * once the database holds the artifact and a version that points at it.
 */
export async function placeLocalCopy(staged: string, hash: string): Promise<string> {
  const target = path.join(versionsRoot(), hash);
  if (existsSync(target)) await rm(staged, { recursive: true, force: true });
  else await rename(staged, target);
  return target;
}

/** The local folder of an artifact, copied from the database first if this machine lacks it. */
export async function artifactDir(db: PrismaClient, hash: string): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`invalid artifact hash ${hash}`);
  const target = path.join(versionsRoot(), hash);
  if (existsSync(target)) return target;
  const files = await db.artifactFile.findMany({ where: { hash } });
  if (files.length === 0) throw new Error(`The files of model artifact ${hash} are missing from the database`);
  const tmp = await stagingDir();
  for (const f of files) {
    const dest = path.join(tmp, f.path);
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, f.bytes);
  }
  if ((await readArtifactDir(tmp)).hash !== hash) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`Model artifact ${hash} is corrupt in the database (content hash differs)`);
  }
  return placeLocalCopy(tmp, hash);
}
