import { kindOf } from "../../kinds";
import { asModelKind, type ParsedRun, type RunRequest } from "../../validations/run-request";
import { TRAINING_ARGUMENT_NAMES } from "../../validations/training-arguments";
import { RunFailure } from "../run-context";

// What the worker reads of a queued run: the request as POST /api/runs parsed it with the schema of
// its model's kind. The worker fills defaults; it never parses or checks the request again.

export function queuedRequest(run: { parsedRequest: unknown; model: { name: string; kind: string } }): ParsedRun {
  const parsed = run.parsedRequest as ParsedRun | null;
  if (!parsed) throw new RunFailure("This run was queued by an older version of the dashboard, which did not store the parsed request: queue it again.");
  const kind = asModelKind(run.model.kind);
  if (parsed.kind !== kind) {
    throw new RunFailure(`Model "${run.model.name}" became ${kindOf(kind).title} after this run was queued for a ${parsed.kind} model: queue it again.`);
  }
  return parsed;
}

/** The TrainingArguments a request gives that its model kind's trainer does not apply (the log says why). */
export function ignoredArguments(parsed: ParsedRun): string[] {
  const applied = kindOf(parsed.kind).appliedArguments;
  return Object.keys(parsed.request as RunRequest).filter((name) => TRAINING_ARGUMENT_NAMES.has(name) && !applied.has(name));
}
