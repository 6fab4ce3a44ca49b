// The registry of model kinds: kind name → the object that loads (serves and scores) and exports
// its versions and names its request schema. Its trainer is registered in trainers.ts (worker
// only). Adding a kind: a folder lib/kinds/<kind>/ whose index.ts exports a Kind (types.ts) and
// whose train.ts exports a Trainer, its request schema in lib/validations/run-request.ts
// (RUN_REQUEST_SCHEMAS), and one line here (KINDS) and in trainers.ts.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Classifier } from "../onnx/classifier";
import type { ModelKind } from "../validations/run-request";
import { encoderKind } from "./encoder";
import { starterKind } from "./starter";
import type { Kind } from "./types";

export type { Candidate, CandidateInput, Encoding, ExportOptions, Kind, ServingVersion } from "./types";

export const KINDS: readonly Kind[] = [starterKind, encoderKind];

const byName = new Map<string, Kind>(KINDS.map((k) => [k.name, k]));

/** The kind of a configured model (Model.kind). */
export function kindOf(name: ModelKind): Kind {
  const kind = byName.get(name);
  if (!kind) throw new Error(`unknown model kind "${name}" (known: ${KINDS.map((k) => k.name).join(", ")})`);
  return kind;
}

/** The kind whose versions say this config.json model_type, or undefined. */
export function kindOfVersionType(modelType: unknown): Kind | undefined {
  return KINDS.find((k) => k.versionModelType === modelType);
}

/**
 * Loads any version folder as a Classifier, by its config.json's model_type. A folder of no known
 * kind (an exported one, say) loads as one ONNX graph → logits, as the starter kind's do.
 */
export async function loadVersion(dir: string): Promise<Classifier> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")) as { model_type?: string };
  return (kindOfVersionType(config.model_type) ?? starterKind).load(dir);
}
