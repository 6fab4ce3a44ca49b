import assert from "node:assert/strict";
import { test } from "node:test";
import { matchSegments } from "../../components/data/Highlight";
import { predictPlaceholder } from "../../components/predict/ModelChoice";
import { encodingText } from "../../components/settings/ModelsSettings";
import { encoderKind } from "../../lib/kinds/encoder";
import { starterKind } from "../../lib/kinds/starter";
import { STARTER_DEFAULTS } from "../../lib/training/train-args";
import { modelSettings } from "../../lib/validations/model-config";

// Small pieces of the pages' polish: search matches cut into <mark> pieces, what a model really
// reads (the starter's length is its own, not the encoder default of its settings), and the
// Predict placeholder taken from the model.

test("matchSegments: every case-insensitive match, in order, the text whole", () => {
  assert.deepEqual(matchSegments("Win a PRIZE, prize!", "prize"), [
    { text: "Win a ", match: false },
    { text: "PRIZE", match: true },
    { text: ", ", match: false },
    { text: "prize", match: true },
    { text: "!", match: false },
  ]);
  assert.deepEqual(matchSegments("aaa", "aa"), [{ text: "aa", match: true }, { text: "a", match: false }], "matches do not overlap");
  assert.deepEqual(matchSegments("<b>x</b>", "<b>"), [{ text: "<b>", match: true }, { text: "x</b>", match: false }], "markup is text");
  assert.deepEqual(matchSegments("no match", "zz"), [{ text: "no match", match: false }]);
  assert.deepEqual(matchSegments("anything", ""), [{ text: "anything", match: false }]);
  // Lower-casing "İ" makes two characters: the text is shown whole rather than cut askew.
  assert.deepEqual(matchSegments("İstanbul prize", "prize"), [{ text: "İstanbul prize", match: false }]);
  for (const [text, q] of [["Hello World hello", "hello"], ["x%_\\y", "%_\\"]]) {
    assert.equal(matchSegments(text, q).map((s) => s.text).join(""), text);
  }
});

test("the starter's encoding: its serving version's max_length, else its own default, never the settings' 128", () => {
  const settings = modelSettings({ basePath: "starter", config: {} });
  assert.equal(settings.maxLength, 128, "the settings' default is an encoder's");
  const fresh = starterKind.encoding(settings, null);
  assert.deepEqual(fresh, { pooling: "mean", maxLength: STARTER_DEFAULTS.maxLength, quantized: false, head: "linear", configurable: false });
  assert.equal(starterKind.encoding(settings, { max_length: 512 }).maxLength, 512);
  assert.equal(encodingText(fresh), `its own token embeddings, mean of up to ${STARTER_DEFAULTS.maxLength} tokens (fixed)`);
  const enc = encoderKind.encoding(modelSettings({ basePath: "mini", config: { maxLength: 256, pooling: "cls", head: { type: "mlp", hiddenSize: 64 } } }), { max_length: 99 });
  assert.deepEqual(enc, { pooling: "cls", maxLength: 256, quantized: false, head: "mlp 64", configurable: true });
  assert.equal(encodingText(enc), "cls pooling, up to 256 tokens");
});

test("the Predict placeholder names the model and its labels", () => {
  const model = {
    name: "spam",
    kind: "starter",
    isDefault: true,
    servingVersionId: "v1",
    promotedAt: null,
    versions: [{ id: "v1", createdAt: "", runId: null, labels: ["ham", "spam"], accuracy: null, f1: null, serving: true }],
  };
  assert.equal(predictPlaceholder(model), "Paste a text to classify with spam (labels: ham, spam)\nOne text per line classifies several");
  assert.equal(predictPlaceholder({ ...model, servingVersionId: null, versions: [] }), "Paste a text to classify with spam\nOne text per line classifies several");
  assert.equal(predictPlaceholder(undefined), "Paste a text to classify");
});
