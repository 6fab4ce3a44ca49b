// The worker's half of the registry: kind name → its trainer. Only the worker imports it, so the
// web bundle never holds training code (tokenizer worker threads, the feature cache, optimisers).
import type { Phase } from "../runs/run-context";
import type { ModelKind } from "../validations/run-request";
import { trainEncoderCandidate } from "./encoder/train";
import { trainStarterCandidate } from "./starter/train";
import type { Trainer } from "./types";

const TRAINERS: { [K in ModelKind]: Trainer<never> } = {
  starter: trainStarterCandidate,
  encoder: trainEncoderCandidate,
};

/** The phases each kind's trainer enters, in order ("evaluating-old" only when it scores an old model). */
const PHASES: { [K in ModelKind]: Phase[] } = {
  starter: ["evaluating-old", "tokenizing", "training", "evaluating-new"],
  encoder: ["encoding", "evaluating-old", "training", "evaluating-new"],
};

export function trainerPhases(kind: ModelKind): Phase[] {
  return PHASES[kind];
}

/** The trainer of a kind; `request` must be parsed by that kind's schema (a ParsedRun's). */
export function trainerOf(kind: ModelKind): Trainer<unknown> {
  return TRAINERS[kind] as Trainer<unknown>;
}
