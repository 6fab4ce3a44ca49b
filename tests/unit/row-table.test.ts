import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { KeyHashes } from "../../lib/rows/key-hash";
import { scopedKey, type TableKey } from "../../lib/rows/table-key";
import { RowSet, RowTable, type LabelledRow } from "../../lib/runs/row-table";
import { TextSpill } from "../../lib/runs/text-spill";

// A run's fetched rows as columns (lib/runs/row-table.ts): the same keys, labels, texts and key
// hashes as the rows it was given, in memory or with keys and texts in spill files.

const PK: TableKey = { name: "id", columns: [{ name: "id", type: "text" }], scope: "public.t\u001f" };

function rows(n: number): LabelledRow[] {
  return Array.from({ length: n }, (_, i) => ({ key: i % 7 === 0 ? `clé ${i} 😀` : String(i), label: ["spam", "ham", "eggs"][i % 3], text: i % 11 === 0 ? "" : `text ${i} ${"é".repeat(i % 5)}` }));
}

for (const spilled of [false, true]) {
  test(`RowTable${spilled ? " with keys and texts in spill files" : ""}: the rows read back as given, with their key hashes, label counts and label indices; released texts read ""`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "rows-"));
    const spill = spilled ? { keys: new TextSpill(dir, "k"), texts: new TextSpill(dir, "t") } : null;
    try {
      const given = rows(5000);
      const table = new RowTable(PK, spill);
      for (const r of given) table.add(r.key, r.label, r.text);
      table.flush();
      assert.equal(table.length, 5000);
      assert.equal(table.textsSpilled, spilled);
      assert.deepEqual(table.toRows(), given);
      assert.deepEqual(table.labelNames, ["spam", "ham", "eggs"]);
      assert.deepEqual([...table.labelCounts()], [["spam", 1667], ["ham", 1667], ["eggs", 1666]]);
      const expected = KeyHashes.of(given.map((r) => scopedKey(PK, r.key)));
      assert.deepEqual(table.hashes().words, expected.words);
      const set = new RowSet(table, Int32Array.of(9, 3, 4000, 3));
      assert.deepEqual(set.keys(), ["9", "3", "4000", "3"]);
      assert.deepEqual(set.labels(), ["spam", "spam", "ham", "spam"]);
      assert.deepEqual(set.texts(1, 3), [given[3].text, given[4000].text]);
      assert.deepEqual(set.textsAt([2, 0]), [given[4000].text, given[9].text]);
      assert.deepEqual([...set.labelIndices(["ham", "spam"])], [1, 1, 0, 1]);
      assert.deepEqual([...set.labelIndices(["ham"])], [-1, -1, 0, -1], "a label the model lacks is -1");
      set.releaseTexts(0, 2);
      assert.deepEqual(set.texts(0, 4), ["", "", given[4000].text, ""], "row 3 is released wherever it appears");
      assert.equal(table.text(10), given[10].text, "other rows keep theirs");
      assert.equal(RowSet.all(table).length, 5000);
    } finally {
      spill?.keys.close();
      spill?.texts.close();
    }
    assert.deepEqual(readdirSync(dir), []);
  });
}
