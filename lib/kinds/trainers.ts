// The worker's half of the registry: kind name → its trainer. Only the worker imports it, so the
// web bundle never holds training code (tokenizer worker threads, the feature cache, optimisers).
import type { ModelKind } from "../validations/run-request";
import { trainEncoderCandidate } from "./encoder/train";
import { trainStarterCandidate } from "./starter/train";
import type { Trainer } from "./types";

const TRAINERS: { [K in ModelKind]: Trainer<never> } = {
  starter: trainStarterCandidate,
  encoder: trainEncoderCandidate,
};

/** The trainer of a kind; `request` must be parsed by that kind's schema (a ParsedRun's). */
export function trainerOf(kind: ModelKind): Trainer<unknown> {
  return TRAINERS[kind] as Trainer<unknown>;
}
