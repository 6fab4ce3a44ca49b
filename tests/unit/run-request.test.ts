import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTrainingDefaults } from "../../lib/settings-training";
import { closestName } from "../../lib/validations/closest-name";
import { HEAD_OPTION_NAMES } from "../../lib/validations/head-options";
import { modelSettingsSchema } from "../../lib/validations/model-config";
import { EXAMPLE_REQUEST, parseRunRequest, type ModelKind } from "../../lib/validations/run-request";
import { TRAINING_ARGUMENT_NAMES } from "../../lib/validations/training-arguments";

const BASE = { table: "t", columns: "a,b" };
const issuesOf = (body: unknown, kind: ModelKind | null = "starter") => {
  const r = parseRunRequest(body, kind);
  return r.ok ? [] : r.issues;
};
const paths = (body: unknown, kind: ModelKind | null = "starter") => issuesOf(body, kind).map((i) => i.path).sort();

test("the original system's request shape is accepted, with columns split into label and text", () => {
  const seed = { columns: "ReviewLabel,ReviewText", table: "iris.Review", limit: 20, p_of_train: 0.8, output_dir: "/irisdev/app/src/model/checkpoints", evaluation_strategy: "steps", learning_rate: 0.01, num_train_epochs: 1 };
  for (const kind of ["starter", "encoder"] as const) {
    const r = parseRunRequest(seed, kind);
    assert.ok(r.ok, kind);
    assert.equal(r.kind, kind);
    assert.deepEqual(r.request.columns, { label: "ReviewLabel", text: "ReviewText" });
    assert.equal(r.request.limit, 20);
    assert.equal(r.request.output_dir, "/irisdev/app/src/model/checkpoints");
    assert.ok(parseRunRequest(EXAMPLE_REQUEST, kind).ok, "the form's example is valid");
  }
});

test("p_of_train defaults to 0.8 and must lie strictly between 0 and 1", () => {
  const r = parseRunRequest(BASE, "starter");
  assert.ok(r.ok && r.request.p_of_train === 0.8);
  for (const p of [0, 1, -0.1, 1.5, "0.5"]) assert.deepEqual(paths({ ...BASE, p_of_train: p }), ["p_of_train"], String(p));
  assert.deepEqual(paths({ ...BASE, p_of_train: 0.999 }), []);
});

test("limit must be an integer of at least 1", () => {
  for (const l of [0, -3, 2.5, "10", null]) assert.deepEqual(paths({ ...BASE, limit: l }), ["limit"], String(l));
  assert.deepEqual(paths({ ...BASE, limit: 1 }), []);
});

test("columns must name exactly two columns", () => {
  for (const c of ["label", "a,b,c", ",b", "a,", 5]) assert.deepEqual(paths({ table: "t", columns: c }), ["columns"], String(c));
  const r = parseRunRequest({ table: "t", columns: " label , text " }, "starter");
  assert.ok(r.ok && r.request.columns.label === "label" && r.request.columns.text === "text");
});

test("each bad value of a training argument is a problem naming it, for both kinds", () => {
  const bad: Record<string, unknown> = {
    learning_rate: 0,
    num_train_epochs: "x",
    per_device_train_batch_size: 2.5,
    per_device_eval_batch_size: 0,
    weight_decay: -0.1,
    seed: 1.5,
    evaluation_strategy: "sometimes",
    eval_strategy: "often",
    eval_steps: 1.5,
    logging_steps: 0,
    warmup_ratio: 1.5,
    label_smoothing_factor: 1,
    warmup_steps: -1,
    adam_beta1: 1,
    adam_epsilon: 0,
    max_grad_norm: -1,
    load_best_model_at_end: "yes",
    fp16: "true",
    gradient_accumulation_steps: 0,
    max_steps: -2,
    report_to: 3,
    save_strategy: "sometimes",
    log_level: "loud",
  };
  for (const kind of ["starter", "encoder"] as const) {
    for (const [name, value] of Object.entries(bad)) {
      assert.deepEqual(paths({ ...BASE, [name]: value }, kind), [name], `${kind}: ${name} ${JSON.stringify(value)}`);
    }
    assert.deepEqual(paths({ ...BASE, ...bad }, kind), Object.keys(bad).sort(), `${kind}: all at once`);
  }
  const [lr] = issuesOf({ ...BASE, learning_rate: 0 });
  assert.equal(lr.message, "must be greater than 0");
  assert.match(issuesOf({ ...BASE, evaluation_strategy: "sometimes" })[0].message, /"no", "steps" or "epoch"/);
});

test("good values of training arguments pass, including HF's fractions of the total steps", () => {
  const good = {
    ...BASE, learning_rate: 1e-5, num_train_epochs: 0.5, eval_steps: 0.2, logging_steps: 10, warmup_ratio: 1, warmup_steps: 0.1,
    label_smoothing_factor: 0, seed: -1, eval_strategy: "epoch", fp16: true, output_dir: null, report_to: ["none"], max_steps: -1,
    deepspeed: { zero_optimization: { stage: 2 } }, lr_scheduler_type: "cosine", save_strategy: "best",
  };
  for (const kind of ["starter", "encoder"] as const) assert.deepEqual(issuesOf(good, kind), [], kind);
});

test("head options: checked for encoder models, refused (named) for the starter model", () => {
  const bad: Record<string, unknown> = {
    head_type: "foo",
    head_hidden_size: 0,
    head_activation: "tanh",
    class_weight: [1, 2],
    early_stopping_patience: -3,
    early_stopping_threshold: -1,
  };
  for (const [name, value] of Object.entries(bad)) assert.deepEqual(paths({ ...BASE, [name]: value }, "encoder"), [name], `${name} ${JSON.stringify(value)}`);
  assert.deepEqual(paths({ ...BASE, early_stopping_patience: 1.5 }, "encoder"), ["early_stopping_patience"]);
  assert.deepEqual(paths({ ...BASE, class_weight: { ham: -1 } }, "encoder"), ["class_weight.ham"]);
  assert.match(issuesOf({ ...BASE, head_type: "foo" }, "encoder")[0].message, /"linear" or "mlp"/);

  const good = { ...BASE, head_type: "mlp", head_hidden_size: 64, head_activation: "relu", class_weight: "balanced", early_stopping_patience: 0, early_stopping_threshold: 0.01 };
  const r = parseRunRequest(good, "encoder");
  assert.ok(r.ok && r.kind === "encoder" && r.request.head_type === "mlp" && r.request.class_weight === "balanced");
  assert.ok(parseRunRequest({ ...BASE, class_weight: { ham: 1, spam: 3 } }, "encoder").ok);

  for (const name of HEAD_OPTION_NAMES) {
    const issues = issuesOf({ ...BASE, [name]: (good as Record<string, unknown>)[name] }, "starter");
    assert.deepEqual(issues.map((i) => i.path), [name], name);
    assert.match(issues[0].message, /encoder models/);
  }
});

test("early stopping needs evaluations, for both kinds; metric_for_best_model is one the trainers track", () => {
  assert.deepEqual(paths({ ...BASE, early_stopping_patience: 2, eval_strategy: "no" }, "encoder"), ["early_stopping_patience"]);
  assert.deepEqual(paths({ ...BASE, early_stopping_patience: 2, evaluation_strategy: "no" }, "encoder"), ["early_stopping_patience"]);
  assert.deepEqual(paths({ ...BASE, early_stopping_patience: 2 }, "encoder"), [], "evaluates every epoch by default");
  assert.deepEqual(paths({ ...BASE, early_stopping_patience: 0, eval_strategy: "no" }, "encoder"), [], "0 is off");
  assert.deepEqual(paths({ ...BASE, metric_for_best_model: "f1" }, "encoder"), ["metric_for_best_model"]);
  assert.deepEqual(paths({ ...BASE, metric_for_best_model: "eval_accuracy" }, "encoder"), []);
  assert.deepEqual(paths({ ...BASE, metric_for_best_model: "f1" }, "starter"), ["metric_for_best_model"], "the starter tracks it too");
  assert.deepEqual(paths({ ...BASE, early_stopping_patience: 2, eval_strategy: "no" }, "starter"), ["early_stopping_patience"]);
  assert.deepEqual(paths({ ...BASE, early_stopping_patience: 2, early_stopping_threshold: 0.01 }, "starter"), []);
});

test("any TrainingArguments name is accepted; a misspelt name is refused with a suggestion, with every other problem", () => {
  for (const name of ["fp16", "gradient_checkpointing", "output_dir", "warmup_steps", "report_to"]) {
    assert.ok(TRAINING_ARGUMENT_NAMES.has(name));
  }
  assert.equal(TRAINING_ARGUMENT_NAMES.size, 131);
  const issues = issuesOf({ table: "t", columns: "a", learnig_rate: 0.1, not_an_argument: 1 });
  assert.deepEqual(issues.map((i) => i.path).sort(), ["columns", "learnig_rate", "not_an_argument"]);
  assert.match(issues.find((i) => i.path === "learnig_rate")!.message, /not a request field nor a Hugging Face TrainingArguments name \(did you mean "learning_rate"\?\)/);
  assert.doesNotMatch(issues.find((i) => i.path === "not_an_argument")!.message, /did you mean/);
  assert.deepEqual(paths({ ...BASE, learnig_rate: 0.1 }, "encoder"), ["learnig_rate"]);
  assert.deepEqual(paths({ ...BASE, head_typ: "mlp" }, null), ["head_typ"]);
});

test("closestName suggests the one nearest known name within two edits", () => {
  assert.equal(closestName("learnig_rate", TRAINING_ARGUMENT_NAMES), "learning_rate");
  assert.equal(closestName("num_epochs", TRAINING_ARGUMENT_NAMES), null);
  assert.equal(closestName("sped", ["seed", "speed"]), null, "a tie suggests nothing");
  assert.equal(closestName("sed", ["seed", "output_dir"]), "seed");
});

test("an unknown model (kind null) is checked with the widest schema", () => {
  assert.ok(parseRunRequest({ ...BASE, head_type: "mlp" }, null).ok);
  assert.deepEqual(paths({ ...BASE, head_type: "foo", learning_rate: -1 }, null), ["head_type", "learning_rate"]);
});

test("the body must be an object with a table", () => {
  assert.deepEqual(paths("text"), ["(body)"]);
  assert.deepEqual(paths([]), ["(body)"]);
  assert.deepEqual(paths(null), ["(body)"]);
  assert.deepEqual(paths({ columns: "a,b" }), ["table"]);
});

test("training defaults are checked by the same pieces: TrainingArguments only, same types", () => {
  assert.deepEqual(parseTrainingDefaults({ learning_rate: 0.02, fp16: true, evaluation_strategy: "epoch" }), { ok: true, defaults: { learning_rate: 0.02, fp16: true, evaluation_strategy: "epoch" } });
  const bad = parseTrainingDefaults({ learning_rate: 0, early_stopping_patience: -3, table: "x", learnig_rate: 1, evaluation_strategy: "sometimes" });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.issues.map((i) => i.path).sort(), ["early_stopping_patience", "evaluation_strategy", "learnig_rate", "learning_rate", "table"]);
  assert.match(bad.issues.find((i) => i.path === "table")!.message, /run request field/);
  const head = parseTrainingDefaults({ head_type: "mlp" });
  assert.ok(!head.ok && /head option of encoder models/.test(head.issues[0].message));
  assert.deepEqual(parseTrainingDefaults([1]), { ok: false, issues: [{ path: "(body)", message: 'must be a JSON object of TrainingArguments, like {"learning_rate": 0.01}' }] });
});

test("a configured model's head settings share the head options' pieces", () => {
  assert.ok(modelSettingsSchema.safeParse({ base: "x", head: { type: "mlp", hiddenSize: 64, activation: "relu" } }).success);
  const bad = modelSettingsSchema.safeParse({ base: "x", head: { type: "foo" } });
  assert.ok(!bad.success && bad.error.issues[0].message === 'must be "linear" or "mlp"');
});
