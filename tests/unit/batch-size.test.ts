import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultBatchSize } from "../../lib/training/batch-size";

test("largest divisor ≤ 32 and ≤ √n", () => {
  // 4728 = 2³·3·197, √4728 ≈ 68.8 → divisors ≤ 32: 1,2,3,4,6,8,12,24 → 24
  assert.equal(defaultBatchSize(4728), 24);
  // √100 = 10 and 10 | 100
  assert.equal(defaultBatchSize(100), 10);
  // 97 is prime
  assert.equal(defaultBatchSize(97), 1);
  assert.equal(defaultBatchSize(1), 1);
  // 2000 = 2⁴·5³, √2000 ≈ 44.7 → ≤ 32: 25 (20, 16 are smaller; 32 ∤ 2000)
  assert.equal(defaultBatchSize(2000), 25);
  // 1024: √ = 32 → 32
  assert.equal(defaultBatchSize(1024), 32);
  // 20 (the original system's example limit): √20 ≈ 4.47 → 4
  assert.equal(defaultBatchSize(20), 4);
  // 15: √15 ≈ 3.87 → 3
  assert.equal(defaultBatchSize(15), 3);
  assert.equal(defaultBatchSize(0), 1);
});
