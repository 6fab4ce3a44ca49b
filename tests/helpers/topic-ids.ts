import { mulberry32, randInt } from "../../lib/training/rng";
import { forwardBatch } from "../../lib/training/static-model";

// Token-id "texts" for the training loops' tests: three classes, each drawing 30 % of its ids from
// its own range of 100 topic ids and the rest from shared filler ids, so that a model must learn
// which topic ids dominate.

/** Ids per vocabulary. */
export const TOPIC_VOCAB = 3000;

/** n rows (row i has class i % 3) of minLength … minLength + spread - 1 ids. */
export function topicRows(n: number, seed: number, opts: { minLength?: number; spread?: number } = {}) {
  const rng = mulberry32(seed);
  const ids = Array.from({ length: n }, (_, i) => {
    const topic = (i % 3) * 100;
    return Int32Array.from({ length: (opts.minLength ?? 8) + randInt(rng, opts.spread ?? 40) }, () => (rng() < 0.3 ? topic + randInt(rng, 100) : 300 + randInt(rng, TOPIC_VOCAB - 300)));
  });
  return { ids, labels: ids.map((_, i) => i % 3) };
}

/** The share of rows whose largest logit is their class (three classes). */
export function topicAccuracy(params: Parameters<typeof forwardBatch>[0], ids: Int32Array[], labels: number[], layout?: Parameters<typeof forwardBatch>[2]): number {
  const logits = forwardBatch(params, ids, layout).logits;
  let right = 0;
  for (let b = 0; b < ids.length; b++) {
    const row = Array.from(logits.subarray(b * 3, b * 3 + 3));
    if (row.indexOf(Math.max(...row)) === labels[b]) right++;
  }
  return right / ids.length;
}
