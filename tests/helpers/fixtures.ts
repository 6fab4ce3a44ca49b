import type { Db } from "../../lib/db/client";

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
