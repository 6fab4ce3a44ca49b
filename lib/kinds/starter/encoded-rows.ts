// The starter run's rows as token ids, where training and scoring read them: in one shared buffer
// in memory, or, for a big table, in files under DATA_DIR/spill (lib/training/token-spill.ts): the
// training rows dealt among buckets that an epoch reads back one at a time, the test rows in order.
// The texts are read and encoded a block at a time (the tokenize pool's encodeBlocks), so that at
// no point are all of a big table's texts, or all of its ids, in memory.
import type { TokenizePool } from "../../tokenizers/parallel-tokenize";
import type { RowSet } from "../../runs/row-table";
import { collectGarbageIfGrown } from "../../process/collect-garbage";
import { pickTokenRows, tokenRowsRange, type RowsReader } from "../../training/token-rows";
import { TokenBuckets, TokenRowFile } from "../../training/token-spill";
import type { TrainPieces } from "../../training/train-pieces";

/** About this many bytes of ids per training bucket: what an epoch holds in memory at once. */
export const BUCKET_BYTES = 32 * 2 ** 20;

export interface EncodeRowsInput {
  pool: TokenizePool;
  /** the tokenizer folder */
  dir: string;
  train: RowSet;
  test: RowSet;
  trainLabels: Int32Array;
  testLabels: Int32Array;
  maxLength: number;
  /** training rows held out of the model (./calibrate.ts holdOutSlice), or null */
  holdOut: { fit: Int32Array; calibration: Int32Array } | null;
  /** where and under which name to spill the ids, and the seed that deals the training rows among buckets; null: keep them in memory */
  spill: { dir: string; tag: string; seed: number } | null;
  onProgress(done: number, total: number): void | Promise<void>;
}

export interface EncodedRows {
  /** what the model trains on (every training row but the held-out ones) */
  train: { trainIds: Int32Array[]; trainLabels: ArrayLike<number> } | { pieces: TrainPieces };
  /** the test rows' ids, in the test rows' order */
  test: Int32Array[] | RowsReader;
  /** the held-out rows' ids and labels (kept in memory), or null */
  held: { ids: Int32Array[]; labels: number[] } | null;
  /** where the ids are, for the log */
  where: string;
  /** why they are in memory although they were to be spilled (no file could be made there), or null */
  warning: string | null;
  /** removes the spill files (safe to call more than once) */
  close(): void;
}

export async function encodeRows(input: EncodeRowsInput): Promise<EncodedRows> {
  const { train, test } = input;
  const rows = train.length + test.length;
  const texts = (from: number, to: number) => {
    collectGarbageIfGrown();
    const out = [...train.texts(Math.min(from, train.length), Math.min(to, train.length)), ...test.texts(Math.max(0, from - train.length), Math.max(0, to - train.length))];
    // a training row's text is released as soon as its block is read (the test rows keep theirs: the old model may be scored on them)
    if (from < train.length) train.releaseTexts(from, Math.min(to, train.length));
    return out;
  };
  const options = { consume: true, lazy: true, onProgress: input.onProgress };
  if (!input.spill) return inMemory(input, rows, texts, options, null);
  let testFile: TokenRowFile;
  try {
    testFile = new TokenRowFile(input.spill.dir, `${input.spill.tag}-test`, { ranges: true });
  } catch (err) {
    return inMemory(input, rows, texts, options, `The token ids stay in memory: no file could be made under ${input.spill.dir} (${(err as Error).message})`);
  }
  return spilled(input, testFile, rows, texts, options);
}

type Texts = (from: number, to: number) => string[];
type Options = { consume: boolean; lazy: boolean; onProgress: EncodeRowsInput["onProgress"] };

/** Every row's ids in one shared buffer. */
async function inMemory(input: EncodeRowsInput, rows: number, texts: Texts, options: Options, warning: string | null): Promise<EncodedRows> {
  const all = await input.pool.encodeBlocks(input.dir, rows, texts, input.maxLength, options);
  const trainIds = tokenRowsRange(all, 0, input.train.length);
  const h = input.holdOut;
  return {
    train: h ? { trainIds: pickTokenRows(trainIds, h.fit), trainLabels: Int32Array.from(h.fit, (i) => input.trainLabels[i]) } : { trainIds, trainLabels: input.trainLabels },
    test: tokenRowsRange(all, input.train.length, all.length),
    held: h ? { ids: Array.from(h.calibration, (i) => trainIds[i]), labels: Array.from(h.calibration, (i) => input.trainLabels[i]) } : null,
    where: "in memory",
    warning,
    close: () => {},
  };
}

/** The training rows' ids dealt among bucket files, the test rows' in `testFile`, the held-out rows' in memory. */
async function spilled(input: EncodeRowsInput, testFile: TokenRowFile, rows: number, texts: Texts, options: Options): Promise<EncodedRows> {
  const { train, spill } = { train: input.train, spill: input.spill! };
  const heldOut = new Map<number, number>(); // training row → its place among the held-out rows
  input.holdOut?.calibration.forEach((i, k) => heldOut.set(i, k));
  const held = { ids: new Array<Int32Array>(heldOut.size), labels: new Array<number>(heldOut.size) };
  let buckets: TokenBuckets | null = null;
  const close = () => {
    testFile.close();
    buckets?.close();
  };
  try {
    await input.pool.encodeBlocks(input.dir, rows, texts, input.maxLength, {
      ...options,
      sink: (from, ids) => {
        // the first block tells how many ids a row has, and so how many buckets hold the training rows at about BUCKET_BYTES each
        buckets ??= new TokenBuckets(spill.dir, `${spill.tag}-train`, bucketsFor(ids, train.length - heldOut.size), spill.seed);
        for (let j = 0; j < ids.length; j++) {
          const i = from + j;
          if (i >= train.length) testFile.append(ids[j], input.testLabels[i - train.length]);
          else if (heldOut.has(i)) {
            const k = heldOut.get(i)!;
            held.ids[k] = ids[j].slice();
            held.labels[k] = input.trainLabels[i];
          } else buckets.append(ids[j], input.trainLabels[i]);
        }
      },
    });
    buckets!.flush();
    testFile.flush();
    return {
      train: { pieces: buckets! },
      test: testFile.reader(),
      held: input.holdOut ? held : null,
      where: `in ${buckets!.count + 1} files under ${spill.dir} (the training rows in ${buckets!.count} random buckets)`,
      warning: null,
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

/** Buckets for `rows` training rows that each hold about BUCKET_BYTES, estimated from one block's rows. */
export function bucketsFor(sample: Int32Array[], rows: number): number {
  let ints = 0;
  for (const r of sample) ints += r.length + 2;
  const perRow = sample.length ? ints / sample.length : 2;
  return Math.min(4096, Math.max(1, Math.ceil((perRow * 4 * rows) / BUCKET_BYTES)));
}
