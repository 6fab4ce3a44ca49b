import path from "node:path";
import type { Db } from "../../lib/db/client";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import { writeSynthBert } from "../../scripts/lib/synth-bert";

// Small labelled tables generated in the tests (no fixture files).

const POSITIVE = ["great", "excellent", "loved", "wonderful", "perfect", "friendly", "fresh", "delicious"];
const NEGATIVE = ["awful", "terrible", "rude", "cold", "dirty", "slow", "bland", "broken"];
const FILLER = ["the", "food", "service", "was", "and", "our", "table", "staff", "really", "place"];

/** A deterministic two-label review table: `label` (pos/neg) and `body` text, every text distinct. */
export async function createReviewTable(db: Db, name: string, rows: number, labels: string[] = ["pos", "neg"]): Promise<void> {
  await db.$executeRawUnsafe(`CREATE TABLE "${name}" (id serial PRIMARY KEY, label text, body text)`);
  const values: string[] = [];
  const params: string[] = [];
  for (let i = 0; i < rows; i++) {
    const label = labels[i % labels.length];
    const words = label === labels[0] ? POSITIVE : NEGATIVE;
    const text = [FILLER[i % FILLER.length], words[i % words.length], FILLER[(i * 3) % FILLER.length], words[(i * 5) % words.length], FILLER[(i * 7) % FILLER.length], `visit${i}`].join(" ");
    params.push(label, text);
    values.push(`($${params.length - 1}, $${params.length})`);
  }
  if (rows > 0) await db.$executeRawUnsafe(`INSERT INTO "${name}" (label, body) VALUES ${values.join(", ")}`, ...params);
}

/**
 * A `reviews` table of `rows` rows and a configured encoder model "reviews-bert" on a synth-bert
 * (random BERT weights) whose vocabulary comes from those reviews, under `modelsDir`/tiny-bert.
 */
export async function createReviewEncoderModel(db: Db, modelsDir: string, opts: { rows: number; layers: number; hidden: number; heads: number }) {
  await createReviewTable(db, "reviews", opts.rows);
  const texts = (await db.$queryRawUnsafe<{ body: string }[]>(`SELECT body FROM reviews`)).map((r) => r.body);
  const { vocab } = buildTokenizer(texts, { minCount: 1, lowercase: false });
  await writeSynthBert(path.join(modelsDir, "tiny-bert"), { layers: opts.layers, hidden: opts.hidden, heads: opts.heads, vocab, maxPosition: 64, quantized: false, seed: 3 });
  return db.model.create({ data: { name: "reviews-bert", kind: "encoder", basePath: "tiny-bert", config: { pooling: "mean", maxLength: 32 } } });
}

/**
 * A table of one-word rows whose class only the order of their letters tells: class "ab" words
 * are "x" and syllables ab, cd, ef, gh, class "ba" words "x" and the same syllables reversed
 * (ba, dc, fe, hg), so both classes start alike and use the same letters equally often. Every word is distinct
 * (seeded), so a model meets each test word for the first time.
 */
export async function createSpellingTable(db: Db, name: string, rows: number, seed = 11): Promise<void> {
  const SYLLABLES = ["ab", "cd", "ef", "gh"];
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
  const seen = new Set<string>();
  const labels: string[] = [];
  const words: string[] = [];
  while (words.length < rows) {
    const label = words.length % 2 === 0 ? "ab" : "ba";
    const n = 3 + Math.floor(next() * 4);
    const w = "x" + Array.from({ length: n }, () => {
      const syl = SYLLABLES[Math.floor(next() * SYLLABLES.length)];
      return label === "ab" ? syl : [...syl].reverse().join("");
    }).join("");
    if (seen.has(w)) continue;
    seen.add(w);
    labels.push(label);
    words.push(w);
  }
  await db.$executeRawUnsafe(`CREATE TABLE "${name}" (id serial PRIMARY KEY, label text, word text)`);
  await db.$executeRawUnsafe(`INSERT INTO "${name}" (label, word) SELECT * FROM unnest($1::text[], $2::text[])`, labels, words);
}
