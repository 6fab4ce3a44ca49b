import assert from "node:assert/strict";
import { test } from "node:test";
import { EXAMPLE_REQUEST, parseRunRequest } from "../../lib/validations/run-request";
import { TRAINING_ARGUMENT_NAMES } from "../../lib/validations/training-arguments";

const paths = (body: unknown) => {
  const r = parseRunRequest(body);
  return r.ok ? [] : r.issues.map((i) => i.path).sort();
};

test("the seed's request shape is accepted, with columns split into label and text", () => {
  const seed = { columns: "ReviewLabel,ReviewText", table: "iris.Review", limit: 20, p_of_train: 0.8, output_dir: "/irisdev/app/src/model/checkpoints", evaluation_strategy: "steps", learning_rate: 0.01, num_train_epochs: 1 };
  const r = parseRunRequest(seed);
  assert.ok(r.ok);
  assert.deepEqual(r.request.columns, { label: "ReviewLabel", text: "ReviewText" });
  assert.equal(r.request.limit, 20);
  assert.ok(parseRunRequest(EXAMPLE_REQUEST).ok, "the form's example is valid");
});

test("p_of_train defaults to 0.8 and must lie strictly between 0 and 1", () => {
  const r = parseRunRequest({ table: "t", columns: "a,b" });
  assert.ok(r.ok && r.request.p_of_train === 0.8);
  for (const p of [0, 1, -0.1, 1.5, "0.5"]) assert.deepEqual(paths({ table: "t", columns: "a,b", p_of_train: p }), ["p_of_train"], String(p));
  assert.deepEqual(paths({ table: "t", columns: "a,b", p_of_train: 0.999 }), []);
});

test("limit must be an integer of at least 1", () => {
  for (const l of [0, -3, 2.5, "10", null]) assert.deepEqual(paths({ table: "t", columns: "a,b", limit: l }), ["limit"], String(l));
  assert.deepEqual(paths({ table: "t", columns: "a,b", limit: 1 }), []);
});

test("columns must name exactly two columns", () => {
  for (const c of ["label", "a,b,c", ",b", "a,", 5]) assert.deepEqual(paths({ table: "t", columns: c }), ["columns"], String(c));
  const r = parseRunRequest({ table: "t", columns: " label , text " });
  assert.ok(r.ok && r.request.columns.label === "label" && r.request.columns.text === "text");
});

test("wrong types of applied training arguments name the field", () => {
  assert.deepEqual(paths({ table: "t", columns: "a,b", learning_rate: "x", num_train_epochs: -1, per_device_train_batch_size: 0, seed: 1.5, evaluation_strategy: "often" }),
    ["evaluation_strategy", "learning_rate", "num_train_epochs", "per_device_train_batch_size", "seed"]);
});

test("any TrainingArguments name is accepted; other names are reported, together with every other problem", () => {
  for (const name of ["fp16", "gradient_checkpointing", "output_dir", "warmup_steps", "report_to"]) {
    assert.ok(TRAINING_ARGUMENT_NAMES.has(name));
    assert.deepEqual(paths({ table: "t", columns: "a,b", [name]: true }), [], name);
  }
  assert.deepEqual(paths({ table: "t", columns: "a", learning_rte: 0.1 }), ["columns", "learning_rte"]);
});

test("the body must be an object with a table", () => {
  assert.deepEqual(paths("text"), ["(body)"]);
  assert.deepEqual(paths([]), ["(body)"]);
  assert.deepEqual(paths({ columns: "a,b" }), ["table"]);
});
