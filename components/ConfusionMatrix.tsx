import type { Metrics } from "@/lib/training/types";

interface ConfusionMatrixProps {
  title: string;
  matrix: Metrics["confusion_matrix"];
}

/** Rows are the true labels, columns the predicted ones; cells shaded by their share of the row. */
export function ConfusionMatrix({ title, matrix }: ConfusionMatrixProps) {
  const { labels, matrix: counts } = matrix;
  return (
    <figure style={{ margin: 0 }}>
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      <div className="table-wrap">
        <table className="cm" data-testid="confusion-matrix">
          <caption className="visually-hidden">
            {title}: rows are true labels, columns are predicted labels
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
                    return (
                      <td
                        key={j}
                        className={i === j ? "diag" : undefined}
                        style={{ background: `rgba(var(--heat), ${(share * 0.55).toFixed(3)})` }}
                        title={`true ${label}, predicted ${labels[j]}: ${count}`}
                      >
                        {count}
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
