import type { RunView } from "@/lib/runs/types";
import { IncomparableDeltas } from "../Delta";
import { MetricsBarChart, PerClassF1Chart } from "./CompareCharts";
import { MetricsTable, PerClassTable } from "./MetricsTable";
import { ReliabilityChart } from "./ReliabilityChart";

/** Old vs new on the same held-out rows: score bars, per-class F1, the reliability diagram, and the numbers. */
export function ComparePanel({ metrics, comparable }: { metrics: RunView["metrics"]; comparable: boolean }) {
  const { old: oldM, new: newM } = metrics;
  return (
    <IncomparableDeltas.Provider value={!comparable}>
    <section className="card" aria-labelledby="compare-heading" data-testid="compare">
      <h2 id="compare-heading">Old vs new</h2>
      <p className="hint" style={{ marginTop: 0 }}>
        Both models on the same {newM ? newM.samples.toLocaleString("en-US") : ""} held-out rows that neither trained on.{" "}
        {comparable ? "Changes are new − old, green when better, red when worse." : "The labels changed, so the changes are not better or worse: see above."}
      </p>
      <div className="grid-2">
        <div>
          <h3>Scores</h3>
          <MetricsBarChart oldMetrics={oldM} newMetrics={newM} />
        </div>
        <div>
          <h3>F1 per class</h3>
          <PerClassF1Chart oldMetrics={oldM} newMetrics={newM} />
        </div>
      </div>
      <h3 id="reliability-heading">Reliability diagram</h3>
      <ReliabilityChart oldMetrics={oldM} newMetrics={newM} />
      <details className="numbers" open>
        <summary>Numbers</summary>
        <MetricsTable oldMetrics={oldM} newMetrics={newM} />
        <h3 style={{ marginTop: "1rem" }}>Per class</h3>
        <PerClassTable oldMetrics={oldM} newMetrics={newM} />
      </details>
    </section>
    </IncomparableDeltas.Provider>
  );
}
