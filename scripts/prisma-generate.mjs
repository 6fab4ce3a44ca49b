// Runs `prisma generate` offline. Generation never executes the schema engine, but the CLI looks
// for one; pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing file keeps it from downloading.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const cli = fileURLToPath(new URL("../node_modules/prisma/build/index.js", import.meta.url));
const r = spawnSync(process.execPath, [cli, "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
