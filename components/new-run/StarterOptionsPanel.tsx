"use client";

import { AUTO_FEATURES_MAX_WORDS, SUBWORD_DEFAULTS } from "@/lib/training/subword";
import { Field, NumberInput } from "./Field";
import { modelKindOf } from "./requestFields";
import type { NewRunFormState } from "./useNewRunForm";

const AUTO = `empty: ${SUBWORD_DEFAULTS.minn} for short texts (median ≤ ${AUTO_FEATURES_MAX_WORDS} words), off for long ones, as the serving version when continuing from it`;

/** The starter model's own arguments (fastText's names), with their defaults in grey. */
const FIELDS: { name: string; label: string; hint: string; placeholder: string }[] = [
  { name: "minn", label: "Shortest character n-gram", hint: `0: no sub-word features; ${AUTO}`, placeholder: "auto" },
  { name: "maxn", label: "Longest character n-gram", hint: "unseen and misspelt words get vectors from their spelling", placeholder: String(SUBWORD_DEFAULTS.maxn) },
  { name: "bucket", label: "N-gram buckets", hint: "hashed rows for the character n-grams", placeholder: String(SUBWORD_DEFAULTS.buckets) },
  { name: "word_ngrams", label: "Word n-grams", hint: `runs of up to this many adjacent tokens get their own rows (3: pairs and triples, which also spell unseen words out); 1: none; empty: ${SUBWORD_DEFAULTS.wordNgrams} for short texts, 1 for long ones`, placeholder: "auto" },
  { name: "pair_bucket", label: "Word n-gram buckets", hint: "hashed rows for the runs of tokens (kept in the model file)", placeholder: String(SUBWORD_DEFAULTS.pairBuckets) },
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
