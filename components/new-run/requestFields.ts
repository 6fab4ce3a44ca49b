// Reading and writing the new-run request's fields as the form shows them.
import { asModelKind, type ModelKind } from "@/lib/validations/run-request";
import type { ModelRow } from "../models/useModels";

/** A typed value for the JSON from what is in a text box: a number when it reads as one exactly. */
export function toJsonValue(raw: string): unknown {
  const s = raw.trim();
  if (s === "") return undefined;
  const n = Number(s);
  return Number.isFinite(n) && String(n) === s ? n : s;
}

/** A request value as a text box shows it. */
export function display(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** `"label,text"` as its two column names. */
export function splitColumns(v: unknown): { label: string; text: string } {
  if (typeof v !== "string") return { label: "", text: "" };
  const [label = "", text = ""] = v.split(",").map((s) => s.trim());
  return { label, text };
}

/** The kind of the model a request names (else the default model), once the models are known. */
export function modelKindOf(models: Pick<ModelRow, "name" | "kind" | "isDefault">[] | undefined, named: unknown): ModelKind | null {
  const model = typeof named === "string" && named ? models?.find((m) => m.name === named) : models?.find((m) => m.isDefault);
  return model ? asModelKind(model.kind) : null;
}
