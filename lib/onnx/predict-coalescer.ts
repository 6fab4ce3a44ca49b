// Coalesced predictions: concurrent predict calls on one classifier (one model version) are scored
// together in one `predict` call, so one ONNX `session.run` serves many small requests. The first
// call of a batch opens a window of `waitMs`; the batch runs when the window closes or as soon as it
// holds `maxTexts` texts, whichever comes first. Each caller gets exactly its own rows back, in its
// order. Callers validate their texts before they join: a batch fails only when scoring it fails,
// and then every member of that batch gets the error (the next batch starts afresh).
import type { Classifier } from "./classifier";

export interface CoalesceOptions {
  /** How long the first call of a batch waits for others, in ms. 0: no coalescing. */
  waitMs: number;
  /** A batch runs as soon as it holds this many texts; a call with this many or more runs alone, at once. */
  maxTexts: number;
}

interface Member {
  texts: string[];
  resolve(probs: Float32Array[]): void;
  reject(err: unknown): void;
}

interface Batch {
  members: Member[];
  size: number;
  timer: NodeJS.Timeout;
}

/**
 * The classifier with coalesced `predict` calls (the classifier itself when `waitMs` is 0). A
 * coalesced call's `batchSize` is not used: a batch is scored as one batch of at most `maxTexts`
 * texts (the classifier's own limits, such as an encoder's token budget, still apply).
 */
export function coalescePredictions(classifier: Classifier, opts: CoalesceOptions): Classifier {
  if (!(opts.waitMs >= 0) || !(opts.maxTexts >= 1)) {
    throw new Error(`coalescePredictions: waitMs must be ≥ 0 and maxTexts ≥ 1 (got ${opts.waitMs} and ${opts.maxTexts})`);
  }
  if (opts.waitMs === 0) return classifier;
  let open: Batch | null = null;

  function run(batch: Batch): void {
    clearTimeout(batch.timer);
    if (open === batch) open = null;
    const texts = batch.members.flatMap((m) => m.texts);
    classifier.predict(texts, texts.length).then(
      (probs) => {
        let offset = 0;
        for (const m of batch.members) {
          m.resolve(probs.slice(offset, offset + m.texts.length));
          offset += m.texts.length;
        }
      },
      (err: unknown) => {
        for (const m of batch.members) m.reject(err);
      },
    );
  }

  function join(member: Member): void {
    if (open && open.size + member.texts.length > opts.maxTexts) run(open);
    if (!open) {
      const batch: Batch = { members: [], size: 0, timer: setTimeout(() => run(batch), opts.waitMs) };
      open = batch;
    }
    open.members.push(member);
    open.size += member.texts.length;
    if (open.size >= opts.maxTexts) run(open);
  }

  return {
    labels: classifier.labels,
    maxLength: classifier.maxLength,
    predict(texts: string[], batchSize?: number): Promise<Float32Array[]> {
      if (texts.length === 0) return Promise.resolve([]);
      if (texts.length >= opts.maxTexts) return classifier.predict(texts, batchSize);
      return new Promise((resolve, reject) => join({ texts, resolve, reject }));
    },
    close: () => classifier.close(),
  };
}
