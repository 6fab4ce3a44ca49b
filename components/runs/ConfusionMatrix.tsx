import type { Metrics } from "@/lib/training/types";

export type MatrixMode = "counts" | "normalised";

interface ConfusionMatrixProps {
  title: string;
  matrix: Metrics["confusion_matrix"];
  /** counts: cells shaded by count (share of the largest cell); normalised: each row sums to 100 %. */
  mode?: MatrixMode;
  /** makes each cell a button that lists its rows */
  onCell?: (trueLabel: string, predicted: string) => void;
}

/** Rows are the true labels, columns the predicted ones, as a heatmap. */
export function ConfusionMatrix({ title, matrix, mode = "counts", onCell }: ConfusionMatrixProps) {
  const { labels, matrix: counts } = matrix;
  const maxCount = Math.max(1, ...counts.flat());
  return (
    <figure style={{ margin: 0 }}>
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      <div className="table-wrap">
        <table className="cm" data-testid="confusion-matrix" data-mode={mode}>
          <caption className="visually-hidden">
            {title}: rows are true labels, columns are predicted labels{mode === "normalised" ? ", as a share of each row" : ", counts"}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="cm-axis">
                true ↓ / predicted →
              </th>
              {labels.map((label) => (
                <th key={label} scope="col">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => {
              const row = counts[i] ?? [];
              const total = row.reduce((a, b) => a + b, 0);
              return (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {labels.map((_, j) => {
                    const count = row[j] ?? 0;
                    const share = total > 0 ? count / total : 0;
                    const heat = mode === "normalised" ? share : count / maxCount;
                    return (
                      <td
                        key={j}
                        className={i === j ? "diag" : undefined}
                        data-testid="cm-cell"
                        style={{ background: `rgba(var(--heat), ${(heat * 0.6).toFixed(3)})` }}
                        title={`true ${label}, predicted ${labels[j]}: ${count} of ${total} (${(share * 100).toFixed(1)} %)`}
                      >
                        {onCell && count > 0 ? (
                          <button type="button" className="cm-cell-btn" onClick={() => onCell(label, labels[j])} aria-label={`Show the ${count} rows true ${label}, predicted ${labels[j]}`}>
                            {mode === "normalised" ? `${(share * 100).toFixed(1)} %` : count}
                          </button>
                        ) : mode === "normalised" ? (
                          `${(share * 100).toFixed(1)} %`
                        ) : (
                          count
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
