import type { Metrics } from "../training/types";
import { DEFAULT_RANK_METRIC, type RankMetric } from "./spec";

// A sweep's runs in order: scored runs by the chosen metric of the new model (ties broken by
// macro-F1, then accuracy, then the older run), then the runs without scores in queue order.

export interface Rankable {
  id: string;
  createdAt: Date;
  metricsNew: Metrics | null;
}

const TIE_BREAKS: RankMetric[] = [DEFAULT_RANK_METRIC, "accuracy"];

export function rankRuns<T extends Rankable>(runs: T[], metric: RankMetric = DEFAULT_RANK_METRIC): (T & { rank: number | null; score: number | null })[] {
  const keys = [metric, ...TIE_BREAKS.filter((k) => k !== metric)];
  const scoreOf = (r: T, k: RankMetric) => (typeof r.metricsNew?.[k] === "number" && Number.isFinite(r.metricsNew[k]) ? r.metricsNew[k] : null);
  const sorted = [...runs].sort((a, b) => {
    const sa = scoreOf(a, metric);
    const sb = scoreOf(b, metric);
    if ((sa === null) !== (sb === null)) return sa === null ? 1 : -1;
    if (sa !== null) {
      for (const k of keys) {
        const d = (scoreOf(b, k) ?? -Infinity) - (scoreOf(a, k) ?? -Infinity);
        if (d !== 0) return d;
      }
    }
    return a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
  });
  let rank = 0;
  return sorted.map((r) => {
    const score = scoreOf(r, metric);
    return { ...r, score, rank: score === null ? null : ++rank };
  });
}
