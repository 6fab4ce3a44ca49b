// `npm run admin -- <command>`: account recovery for whoever runs the product.
//
//   reset-password EMAIL [--stdin]   sets a new password and prints it: a random one, or the one in
//                                    NEW_PASSWORD, or (with --stdin) the first line of the input
//
// Database: DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR (PG_PORT), the one
// `npm start` runs. When npm start is not running, this command starts that PostgreSQL itself for
// the moment it needs it and stops it again, so it works whether the product is up or not.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { resetPassword } from "../lib/auth/reset-password";
import { createDb } from "../lib/db/client";
import { useEmbeddedDatabase } from "../lib/db/embedded-connection";
import { dataDir, env } from "../lib/env";

const USAGE = `usage: npm run admin -- reset-password EMAIL [--stdin]
  prints a new random password, or sets the one in NEW_PASSWORD, or (--stdin) the first line read`;

const say = (line: string) => console.log(`[admin] ${line}`);

async function firstLineOfStdin(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error("--stdin: the input was empty (expected the new password on the first line)");
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const database = await useEmbeddedDatabase({ dataDir: dataDir(), port: env().PG_PORT }, say);
  try {
    return await fn(database.url);
  } finally {
    await database.release();
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { stdin: { type: "boolean" } } });
  const [command, email, ...extra] = positionals;
  if (command !== "reset-password" || !email || extra.length) {
    console.error(USAGE);
    return 2;
  }
  const given = values.stdin ? await firstLineOfStdin() : process.env.NEW_PASSWORD || undefined;
  const result = await withDatabase(async (url) => {
    const db = createDb(url, 1);
    try {
      return await resetPassword(db, email, given);
    } finally {
      await db.$disconnect();
    }
  });
  if (result.generated) say(`New password for ${result.email}: ${result.password}`);
  else say(`Set the password of ${result.email} to the one given (${values.stdin ? "stdin" : "NEW_PASSWORD"}).`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[admin] ${(err as Error).message}`);
    process.exit(1);
  },
);
