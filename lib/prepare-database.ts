import { ensureAdmin } from "./auth/first-admin";
import { adminEmails } from "./auth/users";
import { createDb } from "./db/client";
import { migrate } from "./db/migrate";
import { fillDemoTable } from "./data/demo-table";
import { ensureStarterModel } from "./models/default-model";
import { ensureAuthSecret } from "./auth/secret";

// Everything a database needs before the product runs on it; each step is idempotent, so every
// start (and every test database) goes through the same path.

export interface Prepared {
  admin: { email: string; password: string; generated: boolean } | null;
  /** the admins' e-mails (for the recovery hint on later starts) */
  adminEmails: string[];
  authSecret: string;
  demoRowsInserted: number;
  migrationsApplied: string[];
}

export async function prepareDatabase(
  url: string,
  opts: { adminEmail?: string; adminPassword?: string; log?: (line: string) => void } = {},
): Promise<Prepared> {
  const log = opts.log ?? (() => {});
  const migrationsApplied = await migrate(url);
  if (migrationsApplied.length) log(`Applied migrations: ${migrationsApplied.join(", ")}`);
  const db = createDb(url, 2);
  try {
    let lastPct = -1;
    const seeded = await fillDemoTable(db, (done, total) => {
      const pct = Math.floor((done / total) * 10) * 10;
      if (pct !== lastPct) log(`Seeding demo_email: ${pct}%`);
      lastPct = pct;
    });
    if (!seeded.skipped) log(`Seeded demo_email with ${seeded.inserted} e-mails`);
    await ensureStarterModel(db);
    const admin = await ensureAdmin(db, { email: opts.adminEmail, password: opts.adminPassword });
    const authSecret = await ensureAuthSecret(db);
    return { admin, adminEmails: await adminEmails(db), authSecret, demoRowsInserted: seeded.skipped ? 0 : seeded.inserted, migrationsApplied };
  } finally {
    await db.$disconnect();
  }
}
