// The starter model's calibration on the demo table's rows (demo_email, default request: all rows,
// p_of_train 0.8, seed 42, the run's stratified split), scored through the serving path (the ONNX graph
// written to a version folder, loadClassifier):
//
//   npx tsx tests/bench/calibration-demo.ts [--seed 42] [--limit N]
//
// "before": the model trained on every training row, raw softmax (STARTER_CALIBRATION=off);
// "after": the same model with the temperature folded in, fitted as the starter trainer does
// (lib/kinds/starter/calibrate.ts: a probe trained without the calibration slice, T fitted on the
// slice's rows whole and cut to their first 64 tokens). Figures are reported, never asserted
// (tests/integration/calibration.test.ts asserts them through a real worker).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildDemoRows } from "../../lib/data/demo-table";
import { stratifiedSplit } from "../../lib/training/split";
import { calibrationSlice, withShortViews } from "../../lib/training/calibration-slice";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import { forwardBatch, initStaticParams } from "../../lib/training/static-model";
import { resolveTrainArgs, STARTER_DEFAULTS, trainStatic } from "../../lib/training/train-static";
import { calibrateLogits, foldTemperature } from "../../lib/training/temperature";
import { computeMetrics } from "../../lib/training/metrics";
import { encodeTexts, loadTokenizer } from "../../lib/tokenizers/tokenizer";
import { writeStaticArtifact } from "../../lib/kinds/starter/artifact";
import { loadClassifier } from "../../lib/onnx/classifier";
import type { StaticParams } from "../../lib/training/types";

const { values: opt } = parseArgs({ options: { seed: { type: "string" }, limit: { type: "string" } } });
const seed = Number(opt.seed ?? 42);
const rows = (await buildDemoRows()).slice(0, Number(opt.limit ?? 10000));
const labels = ["ham", "spam"];
const labelOf = (r: { label: string }) => labels.indexOf(r.label);
const { train, test } = stratifiedSplit(rows, (r) => r.label, 0.8, seed);
const SENTENCES = ["Are we still meeting for lunch tomorrow?", "ok", "Thanks, see you soon", "WIN a FREE iPhone now!!! Click here"];
const maxLength = STARTER_DEFAULTS.maxLength;

const built = buildTokenizer(train.map((r) => r.text), { vocabSize: STARTER_DEFAULTS.vocabSize, maxLength });
const dir = await mkdtemp(path.join(os.tmpdir(), "calib-bench-"));
await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(built.tokenizer));
await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(built.tokenizerConfig));
const tok = await loadTokenizer(dir);
const ids = encodeTexts(tok, train.map((r) => r.text), maxLength);
const args = resolveTrainArgs({ seed }, train.length);
const init = initStaticParams(built.vocab.length, STARTER_DEFAULTS.dim, labels.length, seed);
const model = (await trainStatic({ trainIds: ids, trainLabels: train.map(labelOf), init, args })).params;

const slice = calibrationSlice(train.map(labelOf), labels.length, seed);
const probe = (await trainStatic({ trainIds: Array.from(slice.fit, (i) => ids[i]), trainLabels: Array.from(slice.fit, (i) => labelOf(train[i])), init, args })).params;
const views = withShortViews(Array.from(slice.calibration, (i) => ids[i]), Array.from(slice.calibration, (i) => labelOf(train[i])));
const calibration = calibrateLogits(forwardBatch(probe, views.ids).logits, views.labels, labels.length);

async function score(params: StaticParams) {
  await writeStaticArtifact(dir, { params, labels, tokenizer: built.tokenizer, tokenizerConfig: built.tokenizerConfig, maxLength });
  const clf = await loadClassifier(dir);
  try {
    const m = computeMetrics(test.map(labelOf), await clf.predict(test.map((r) => r.text)), labels);
    const sentences = Object.fromEntries((await clf.predict(SENTENCES)).map((p, i) => [SENTENCES[i], Object.fromEntries(labels.map((l, c) => [l, Number(p[c].toPrecision(4))]))]));
    return { accuracy: m.accuracy, ece: m.ece, eval_loss: m.eval_loss, sentences };
  } finally {
    await clf.close();
  }
}

const before = await score(model);
const after = await score(foldTemperature(model, calibration.temperature));
await rm(dir, { recursive: true, force: true });
console.log(JSON.stringify({ rows: rows.length, train: train.length, test: test.length, seed, batch: args.batchSize, calibration, before, after }, null, 2));
