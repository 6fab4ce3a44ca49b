// Coalesced predictions: concurrent predict calls on one classifier (one model version) are scored
// together in one `predict` call, so one ONNX `session.run` serves many small requests. A call that
// finds the classifier idle runs at once, alone: a lone request never waits. Calls that arrive while
// a run is in flight gather in one batch, which runs as soon as that run ends, when it holds
// `maxTexts` texts, or after `waitMs` at the latest, whichever comes first (measured by `npm run
// bench -- --only serving`: a fixed window cost every request at concurrency 1 its wait and gained
// nothing). Each caller gets exactly its own rows back, in its
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
  timer?: NodeJS.Timeout;
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
  /** runs of this coalescer in progress */
  let inFlight = 0;

  function run(batch: Batch): void {
    clearTimeout(batch.timer);
    if (open === batch) open = null;
    inFlight++;
    const texts = batch.members.flatMap((m) => m.texts);
    classifier
      .predict(texts, texts.length)
      .then(
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
      )
      .finally(() => {
        inFlight--;
        // what gathered while this ran goes next
        if (open && inFlight === 0) run(open);
      });
  }

  function join(member: Member): void {
    if (open && open.size + member.texts.length > opts.maxTexts) run(open);
    if (!open && inFlight === 0) {
      run({ members: [member], size: member.texts.length });
      return;
    }
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
