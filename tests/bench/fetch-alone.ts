// `node --import tsx tests/bench/fetch-alone.ts <database url> <table> <spill dir>`: fetches the
// table's rows (label, text) once whole, keys and texts spilled as a worker spills a big table's, and
// once with `limit: 20`, in a fresh process as the worker runs its fetch, and prints the two times as
// JSON on its last line. The scale bench (./scale.ts) times the fetch with it, so that the bench's
// own live data cannot make the fetch's full collections dearer than in a worker (a test process
// holding 0.4 GiB of other live strings took 5.4–6.9 s for a 700,000-row fetch that took 4.0–4.5 s
// without them).
import { createDb } from "../../lib/db/client";
import { resolveSource } from "../../lib/runs/resolve-request";
import { fetchLabelledRows } from "../../lib/runs/fetch-rows";
import { TextSpill } from "../../lib/runs/text-spill";

const [url, table, spillDir] = process.argv.slice(2);
if (!url || !table || !spillDir) throw new Error("usage: fetch-alone.ts <database url> <table> <spill dir>");
const db = createDb(url, 2);
const spill = { keys: new TextSpill(spillDir, "fetch-alone-keys"), texts: new TextSpill(spillDir, "fetch-alone") };
try {
  const src = await resolveSource(db, { table, columns: { label: "label", text: "text" } });
  if (!src.ok) throw new Error(JSON.stringify(src.issues));
  let t = process.hrtime.bigint();
  const whole = await fetchLabelledRows(db, src.source, { spill: () => spill });
  const wholeS = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  const twenty = await fetchLabelledRows(db, { ...src.source, limit: 20 });
  const limit20Ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(JSON.stringify({ rows: whole.rows.length, wholeS, limit20Rows: twenty.rows.length, limit20Ms }));
} finally {
  spill.keys.close();
  spill.texts.close();
  await db.$disconnect();
}
