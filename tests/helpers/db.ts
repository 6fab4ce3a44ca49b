import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { prepareDatabase } from "../../lib/prepare-database";
import { createDb, type Db } from "../../lib/db/client";
import { migrate } from "../../lib/db/migrate";

// Each test file gets its own databases on the suite's embedded PostgreSQL (TEST_PG_ADMIN_URL,
// started by scripts/run-tests.mjs), or on one it starts itself when run alone.

export const ADMIN = { email: "admin@example.com", password: "admin-password-123" };

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error("TEST_PG_ADMIN_URL is not set: run tests through `npm test` (npm test -- <part of a file name> runs some)");
  return url;
}

export function tmpDir(prefix: string): string {
  const base = process.env.TEST_TMP ?? os.tmpdir();
  return mkdtempSync(path.join(base, `${prefix}-`));
}

export interface TestDatabase {
  url: string;
  db: Db;
  authSecret: string;
  drop(): Promise<void>;
}

/** A new empty database; `prepare` runs the product's start-up steps (migrations, demo data, starter model, admin). */
export async function createTestDatabase(opts: { prepare?: boolean; migrate?: boolean } = {}): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `t_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = admin.replace(/\/postgres$/, `/${name}`);
  let authSecret = "";
  if (opts.prepare ?? true) {
    authSecret = (await prepareDatabase(url, { adminEmail: ADMIN.email, adminPassword: ADMIN.password })).authSecret;
  } else if (opts.migrate) {
    await migrate(url);
  }
  const db = createDb(url, 4);
  return {
    url,
    db,
    authSecret,
    async drop() {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

