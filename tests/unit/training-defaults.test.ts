import assert from "node:assert/strict";
import { test } from "node:test";
import { usableDefaults } from "../../lib/settings-training";

// Saved training defaults read back under a stricter schema: the refused values are left out and
// named, the others kept (nothing the admin saved is silently lost as a whole).

test("saved defaults: refused values are left out and named, valid ones kept", () => {
  assert.deepEqual(usableDefaults({ learning_rate: 0.02, num_train_epochs: 3 }), { defaults: { learning_rate: 0.02, num_train_epochs: 3 }, ignored: [] });
  const mixed = usableDefaults({ learning_rate: 0.02, num_train_epochs: "x", head_type: "mlp", learnig_rate: 1 });
  assert.deepEqual(mixed.defaults, { learning_rate: 0.02 });
  assert.deepEqual(mixed.ignored.map((i) => i.path).sort(), ["head_type", "learnig_rate", "num_train_epochs"]);
  assert.match(mixed.ignored.find((i) => i.path === "learnig_rate")!.message, /did you mean "learning_rate"/);
  const notObject = usableDefaults(["learning_rate"]);
  assert.deepEqual(notObject.defaults, {});
  assert.equal(notObject.ignored.length, 1);
});
