"use client";

import { useState } from "react";
import type { RunView } from "@/lib/runs/types";
import { ConfusionMatrix, type MatrixMode } from "./ConfusionMatrix";
import { NO_OLD_MODEL } from "./MetricsTable";
import { Segmented } from "../Segmented";
import { TitleRow } from "../TitleRow";

const MODES = [
  ["counts", "Counts"],
  ["normalised", "Row-normalised %"],
] as const;

/** Both confusion matrices side by side, as counts or row-normalised; a cell of the new one lists its rows. */
export function ConfusionPanel({ metrics, onCell, noOld }: { metrics: RunView["metrics"]; onCell?: (trueLabel: string, predicted: string) => void; noOld?: string }) {
  const [mode, setMode] = useState<MatrixMode>("counts");
  const { old: oldM, new: newM } = metrics;
  return (
    <section className="card" aria-labelledby="cm-heading">
      <TitleRow id="cm-heading" title="Confusion matrices">
        <span className="spacer" />
        <Segmented legend="Show the confusion matrices as" options={MODES} value={mode} onChange={setMode} testId="matrix-mode" />
      </TitleRow>
      <div className="grid-2" style={{ marginTop: "0.75rem" }}>
        {oldM ? (
          <ConfusionMatrix title="Old (served before this run)" matrix={oldM.confusion_matrix} mode={mode} />
        ) : (
          <div>
            <h3>Old</h3>
            <p className="muted">{noOld ?? NO_OLD_MODEL}.</p>
          </div>
        )}
        {newM ? (
          <ConfusionMatrix title="New (this run)" matrix={newM.confusion_matrix} mode={mode} onCell={onCell} />
        ) : (
          <div>
            <h3>New</h3>
            <p className="muted">Appears once the new model is evaluated.</p>
          </div>
        )}
      </div>
    </section>
  );
}
