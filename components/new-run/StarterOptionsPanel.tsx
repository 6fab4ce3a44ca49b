"use client";

import { SUBWORD_DEFAULTS } from "@/lib/training/subword";
import { Field, NumberInput } from "./Field";
import { modelKindOf } from "./requestFields";
import type { NewRunFormState } from "./useNewRunForm";

/** The starter model's own arguments (fastText's names), with their defaults in grey. */
const FIELDS: { name: string; label: string; hint: string; placeholder: string }[] = [
  { name: "minn", label: "Shortest character n-gram", hint: "0: no sub-word features", placeholder: String(SUBWORD_DEFAULTS.minn) },
  { name: "maxn", label: "Longest character n-gram", hint: "unseen and misspelt words get vectors from their spelling", placeholder: String(SUBWORD_DEFAULTS.maxn) },
  { name: "bucket", label: "N-gram buckets", hint: "hashed rows for the character n-grams", placeholder: String(SUBWORD_DEFAULTS.buckets) },
  { name: "word_ngrams", label: "Word n-grams", hint: "2: adjacent word pairs get their own rows; 1: none", placeholder: String(SUBWORD_DEFAULTS.wordNgrams) },
  { name: "pair_bucket", label: "Word-pair buckets", hint: "hashed rows for the word pairs (kept in the model file)", placeholder: String(SUBWORD_DEFAULTS.pairBuckets) },
];

export function StarterOptionsPanel({ form, disabled }: { form: NewRunFormState; disabled: boolean }) {
  if (modelKindOf(form.models, form.request?.model) !== "starter") return null;
  return (
    <fieldset className="fieldset" disabled={disabled}>
      <legend>Starter model features</legend>
      <div className="form-grid">
        {FIELDS.map((f) => (
          <Field key={f.name} id={`nr-${f.name}`} label={f.label} sub={f.name} issues={form.issuesFor(f.name)} hint={f.hint}>
            <NumberInput form={form} name={f.name} id={`nr-${f.name}`} integer placeholder={f.placeholder} />
          </Field>
        ))}
      </div>
    </fieldset>
  );
}
