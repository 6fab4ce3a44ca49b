"use client";

import { Field, NumberInput } from "./Field";
import { display } from "./requestFields";
import type { NewRunFormState } from "./useNewRunForm";

/** Training arguments the form shows as fields (any other name can be added in the JSON). */
const TRAINING_FIELDS: { name: string; label: string; hint: string; kind: "number" | "integer" | "strategy" }[] = [
  { name: "learning_rate", label: "Learning rate", hint: "peak AdamW step size", kind: "number" },
  { name: "num_train_epochs", label: "Epochs", hint: "passes over the training rows", kind: "number" },
  { name: "per_device_train_batch_size", label: "Batch size", hint: "empty: the original system's rule (a divisor of the row count, at most 32)", kind: "integer" },
  { name: "weight_decay", label: "Weight decay", hint: "AdamW decoupled decay, 0 or more", kind: "number" },
  { name: "warmup_ratio", label: "Warm-up ratio", hint: "share of steps with a rising learning rate, 0 to 1", kind: "number" },
  { name: "seed", label: "Random seed", hint: "same random seed, same split and result", kind: "integer" },
  { name: "evaluation_strategy", label: "Evaluation", hint: "when the held-out rows are scored during training", kind: "strategy" },
];

/** The training arguments as fields; empty ones show the default they get. */
export function ArgumentsPanel({ form, disabled, placeholders }: { form: NewRunFormState; disabled: boolean; placeholders: Record<string, string> }) {
  return (
    <fieldset className="fieldset" disabled={disabled}>
      <legend>Training arguments</legend>
      <p className="hint">Empty fields use the defaults shown in grey. Any other Hugging Face TrainingArguments name can be added in the JSON.</p>
      <div className="form-grid">
        {TRAINING_FIELDS.map((f) => (
          <Field key={f.name} id={`nr-${f.name}`} label={f.label} sub={f.name} issues={form.issuesFor(f.name)} hint={f.hint}>
            {f.kind === "strategy" ? (
              <select id={`nr-${f.name}`} value={display(form.request?.[f.name])} onChange={(e) => form.choose(f.name, e.target.value || undefined)}>
                <option value="">default{placeholders[f.name] ? ` (${placeholders[f.name]})` : ""}</option>
                <option value="no">no: only at the end</option>
                <option value="epoch">epoch: after every epoch</option>
                <option value="steps">steps: every eval_steps</option>
              </select>
            ) : (
              <NumberInput form={form} name={f.name} id={`nr-${f.name}`} integer={f.kind === "integer"} placeholder={placeholders[f.name] ?? ""} />
            )}
          </Field>
        ))}
      </div>
    </fieldset>
  );
}
