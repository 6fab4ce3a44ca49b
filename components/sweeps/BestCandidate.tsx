"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { CandidatePanel } from "../runs/CandidatePanel";
import { useRun } from "../runs/useRun";

/** The best run's candidate with the run page's Override (and its confirm dialog); the sweep is reloaded once it serves. */
export function BestCandidate({ runId, sweepId, isAdmin }: { runId: string; sweepId: string; isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const { query } = useRun(runId);
  const run = query.data;
  const serving = run?.candidateServing;
  useEffect(() => {
    if (serving !== undefined) void queryClient.invalidateQueries({ queryKey: ["sweeps", sweepId] });
  }, [serving, sweepId, queryClient]);
  if (!run?.candidateVersionId) return null;
  return <CandidatePanel run={{ ...run, candidateVersionId: run.candidateVersionId }} isAdmin={isAdmin} />;
}
