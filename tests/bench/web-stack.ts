// What the serving and live benches start: a prepared database of their own on the bench's
// embedded PostgreSQL (migrations, demo_email, the starter model, an admin) with an API token of
// that admin, and the built web app in production mode (`next start`, tests/helpers/processes.ts),
// built first when its sources changed (tests/helpers/build-web.ts).
import type { Db } from "../../lib/db/client";
import { createDb } from "../../lib/db/client";
import type { startEmbeddedPostgres } from "../../lib/db/embedded";
import { createApiToken } from "../../lib/auth/tokens";
import { prepareDatabase } from "../../lib/prepare-database";
import { ensureWebBuild } from "../helpers/build-web";
import { startWebProcess, type Proc } from "../helpers/processes";

type Pg = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

const ADMIN_EMAIL = "bench@example.com";

export interface BenchDatabase {
  name: string;
  url: string;
  db: Db;
  authSecret: string;
  /** an API token of the admin (Authorization: Bearer …) */
  token: string;
}

export async function prepareBenchDatabase(pg: Pg, name: string): Promise<BenchDatabase> {
  await pg.ensureDatabase(name);
  const url = pg.urlFor(name);
  const { authSecret } = await prepareDatabase(url, { adminEmail: ADMIN_EMAIL, adminPassword: "bench-password-1", log: () => {} });
  const db = createDb(url, 4);
  const admin = await db.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
  const { token } = await createApiToken(db, admin.id, "bench");
  return { name, url, db, authSecret, token };
}

/** `next start` on `d`'s database with `modelsDir` and any extra environment (PREDICT_BATCH_WAIT_MS…). */
export async function startBenchWeb(o: { root: string; d: BenchDatabase; modelsDir: string; env?: Record<string, string>; say: (line: string) => void }): Promise<Proc & { url: string }> {
  await ensureWebBuild(o.root, (line) => o.say(`  ${line}`));
  return startWebProcess({ DATABASE_URL: o.d.url, NEXTAUTH_SECRET: o.d.authSecret, MODELS_DIR: o.modelsDir, ...o.env });
}
