// Debian's fastText as the benchmarks' reference: the same train and test rows written as
// `__label__x text` (lowercased, one line per row), `supervised` timed around the whole command,
// `test` for accuracy.
import { spawn, spawnSync } from "node:child_process";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";

export interface FastTextConfig {
  name: string;
  args: string[];
}

export interface FastTextResult {
  system: string;
  command: string;
  wallS: number;
  testWallS: number;
  accuracy: number | null;
  n: number | null;
  stdoutTail: string;
}

export function fasttextPath(): string | null {
  const r = spawnSync("sh", ["-c", "command -v fasttext"], { encoding: "utf8" });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : null;
}

function runCmd(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

const ftLine = (r: { label: string; text: string }) => `__label__${r.label.replace(/\s+/g, "_")} ${r.text.replace(/[\r\n]+/g, " ").toLowerCase()}\n`;
/** fastText's input file, 10,000 lines a write (a table of millions of rows is more than one string can hold). */
/** Labelled rows read a block at a time (lib/runs/row-table.ts RowSet). */
export interface FastTextRows {
  readonly length: number;
  label(i: number): string;
  texts(from: number, to: number): string[];
}

/** Rows in an array, as FastTextRows. */
export const arrayRows = (rows: readonly { label: string; text: string }[]): FastTextRows => ({
  length: rows.length,
  label: (i) => rows[i].label,
  texts: (from, to) => rows.slice(from, to).map((r) => r.text),
});

async function writeLines(file: string, rows: FastTextRows): Promise<void> {
  const fh = await open(file, "w");
  try {
    for (let i = 0; i < rows.length; i += 10_000) {
      const texts = rows.texts(i, Math.min(rows.length, i + 10_000));
      await fh.write(texts.map((text, k) => ftLine({ label: rows.label(i + k), text })).join(""));
    }
  } finally {
    await fh.close();
  }
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/** Trains and tests fastText once per config on these rows, in `workDir`. */
export async function runFastTextConfigs(
  bin: string,
  workDir: string,
  rows: { train: FastTextRows; test: FastTextRows },
  configs: FastTextConfig[],
  say: (line: string) => void,
): Promise<FastTextResult[]> {
  await mkdir(workDir, { recursive: true });
  await writeLines(path.join(workDir, "train.txt"), rows.train);
  await writeLines(path.join(workDir, "test.txt"), rows.test);
  const results: FastTextResult[] = [];
  for (const [i, cfg] of configs.entries()) {
    const out = `model${i}`;
    const args = ["supervised", "-input", "train.txt", "-output", out, ...cfg.args];
    say(`  [fasttext] ${bin} ${args.join(" ")}`);
    let t = process.hrtime.bigint();
    const sup = await runCmd(bin, args, workDir);
    const wallS = seconds(t);
    if (sup.code !== 0) throw new Error(`fasttext supervised exited ${sup.code}: ${sup.out.slice(-500)}`);
    t = process.hrtime.bigint();
    const tst = await runCmd(bin, ["test", `${out}.bin`, "test.txt"], workDir);
    const testWallS = seconds(t);
    if (tst.code !== 0) throw new Error(`fasttext test exited ${tst.code}: ${tst.out.slice(-500)}`);
    const p1 = /^P@1\s+([\d.]+)/m.exec(tst.out);
    const n = /^N\s+(\d+)/m.exec(tst.out);
    results.push({ system: cfg.name, command: `fasttext ${args.join(" ")}`, wallS, testWallS, accuracy: p1 ? Number(p1[1]) : null, n: n ? Number(n[1]) : null, stdoutTail: tst.out.trim() });
  }
  return results;
}
