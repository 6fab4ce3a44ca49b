// Class probabilities of many rows (rows × numLabels) in one flat array. A run's scored test rows
// (1,400,000 of them at 7,000,000 rows) pass from the evaluation to the metrics and to the saved
// test rows in this form: a Float32Array view per row cost about 100 bytes of heap each.

export class ProbabilityRows {
  readonly length: number;

  constructor(
    readonly data: Float32Array | Float64Array,
    readonly numLabels: number,
  ) {
    if (!(numLabels > 0) || data.length % numLabels !== 0) throw new Error(`ProbabilityRows: ${data.length} values are not rows of ${numLabels}`);
    this.length = data.length / numLabels;
  }

  /** Rows given one by one, copied (Float32 when every row is a Float32Array, else Float64); `numLabels` for an empty list. */
  static fromRows(rows: readonly ArrayLike<number>[], numLabels = rows[0]?.length ?? 1): ProbabilityRows {
    const single = rows.every((r) => r instanceof Float32Array);
    const data = single ? new Float32Array(rows.length * numLabels) : new Float64Array(rows.length * numLabels);
    rows.forEach((r, i) => {
      if (r.length !== numLabels) throw new Error(`ProbabilityRows: row ${i} has ${r.length} values, not ${numLabels}`);
      data.set(r, i * numLabels);
    });
    return new ProbabilityRows(data, numLabels);
  }

  /** Row i's probabilities: a view, valid as long as this table. */
  row(i: number): Float32Array | Float64Array {
    return this.data.subarray(i * this.numLabels, (i + 1) * this.numLabels);
  }

  /** Probability of label c in row i. */
  at(i: number, c: number): number {
    return this.data[i * this.numLabels + c];
  }

  /** Row i's most probable label (the first on ties, like numpy.argmax). */
  top(i: number): number {
    const d = this.data;
    const o = i * this.numLabels;
    let best = 0;
    for (let c = 1; c < this.numLabels; c++) if (d[o + c] > d[o + best]) best = c;
    return best;
  }

  /** Rows from … to - 1, sharing this table's memory. */
  slice(from: number, to: number): ProbabilityRows {
    return new ProbabilityRows(this.data.subarray(from * this.numLabels, to * this.numLabels), this.numLabels);
  }
}

/** The rows as they are, or copied into one table when given one by one. */
export const probabilityRows = (probs: ProbabilityRows | readonly ArrayLike<number>[]): ProbabilityRows => (probs instanceof ProbabilityRows ? probs : ProbabilityRows.fromRows(probs));
