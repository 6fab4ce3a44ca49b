// Word counts (lib/training/tokenizer-builder.ts WordCounter) as they travel between threads: two
// arrays, words and their counts, in the order first seen; and their merge, chunk by chunk in the texts'
// order, into exactly the map one thread counting every text would have built (same counts, same
// insertion order: a word first seen in a later chunk comes after every word of the earlier ones).

export interface WordCounts {
  words: string[];
  counts: Float64Array;
}

/** Merges the counts of contiguous chunks, arriving in any order, in chunk order. */
export class WordCountMerger {
  private readonly merged = new Map<string, number>();
  private readonly pending: (WordCounts | undefined)[];
  private next = 0;

  constructor(chunks: number) {
    this.pending = new Array(chunks);
  }

  add(c: number, counts: WordCounts): void {
    this.pending[c] = counts;
    while (this.next < this.pending.length && this.pending[this.next]) {
      const { words, counts: n } = this.pending[this.next]!;
      this.pending[this.next++] = undefined;
      for (let i = 0; i < words.length; i++) this.merged.set(words[i], (this.merged.get(words[i]) ?? 0) + n[i]);
    }
  }

  /** The merged map; every chunk must have been added. */
  result(): Map<string, number> {
    if (this.next < this.pending.length) throw new Error(`the counts of chunk ${this.next} of ${this.pending.length} never came`);
    return this.merged;
  }
}
