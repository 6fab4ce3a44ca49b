// The add/edit model form's fields as text, from a configured model and back to the API's body.
import type { ModelRow } from "../models/useModels";

export interface Draft {
  name: string;
  base: string;
  numLabels: string;
  labels: string;
  pooling: "mean" | "cls";
  maxLength: string;
  quantized: boolean;
  headType: "linear" | "mlp";
  hiddenSize: string;
  activation: "gelu" | "relu";
  topK: string;
  isDefault: boolean;
}

export const EMPTY: Draft = {
  name: "", base: "starter", numLabels: "", labels: "", pooling: "mean", maxLength: "128", quantized: false,
  headType: "linear", hiddenSize: "", activation: "gelu", topK: "", isDefault: false,
};

export function fromModel(m: ModelRow): Draft {
  const s = m.settings;
  if (!s) return { ...EMPTY, name: m.name, isDefault: m.isDefault };
  return {
    name: m.name, base: s.base, numLabels: s.numLabels ? String(s.numLabels) : "", labels: (s.labels ?? []).join(", "),
    pooling: s.pooling, maxLength: String(s.maxLength), quantized: s.quantized, headType: s.head.type,
    hiddenSize: s.head.hiddenSize ? String(s.head.hiddenSize) : "", activation: s.head.activation,
    topK: s.pipeline.top_k ? String(s.pipeline.top_k) : "", isDefault: m.isDefault,
  };
}

const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

export function toBody(d: Draft, creating: boolean): Record<string, unknown> {
  const labels = d.labels.split(",").map((s) => s.trim()).filter(Boolean);
  return {
    ...(creating ? { name: d.name.trim() } : {}),
    base: d.base,
    ...(d.numLabels.trim() ? { numLabels: num(d.numLabels) } : {}),
    ...(labels.length ? { labels } : {}),
    pooling: d.pooling,
    maxLength: num(d.maxLength),
    quantized: d.quantized,
    head: { type: d.headType, activation: d.activation, ...(d.headType === "mlp" && d.hiddenSize.trim() ? { hiddenSize: num(d.hiddenSize) } : {}) },
    pipeline: d.topK.trim() ? { top_k: num(d.topK) } : {},
    isDefault: d.isDefault,
  };
}
