"use client";

import { useMutation } from "@tanstack/react-query";
import type { PredictResponse } from "@/lib/validations/predict";
import { apiFetch } from "../api";

/** The API takes at most this many texts per request; longer lists go in several requests. */
export const PREDICT_BATCH = 1000;
/** The most texts one submission classifies. */
export const PREDICT_MAX = 5000;

/** One text per non-empty line. */
export function splitInputs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export interface PredictResult {
  model: string;
  versionIds: string[];
  elapsedMs: number;
  requests: number;
  inputs: string[];
  predictions: PredictResponse["predictions"];
  truncated: number;
}

/** POST /api/predict in batches of PREDICT_BATCH, the answers joined into one result. */
export function usePredict() {
  return useMutation({
    mutationFn: async (vars: { inputs: string[]; model: string; truncated: number }): Promise<PredictResult> => {
      const out: PredictResult = { model: "", versionIds: [], elapsedMs: 0, requests: 0, inputs: vars.inputs, predictions: [], truncated: vars.truncated };
      for (let i = 0; i < vars.inputs.length; i += PREDICT_BATCH) {
        const inputs = vars.inputs.slice(i, i + PREDICT_BATCH);
        const r = await apiFetch<PredictResponse>("/api/predict", {
          method: "POST",
          body: vars.model ? { model: vars.model, inputs } : { inputs },
        });
        out.model = r.model;
        if (!out.versionIds.includes(r.versionId)) out.versionIds.push(r.versionId);
        out.elapsedMs += r.elapsedMs;
        out.requests += 1;
        out.predictions.push(...r.predictions);
      }
      return out;
    },
  });
}
