import { formatPercent } from "../format";
import { ProgressBar } from "../ProgressBar";

/** One bar per label, highest score first. */
export function ScoreBars({ scores }: { scores: Record<string, number> }) {
  const entries = Object.entries(scores).sort((a, b) => b[1] - a[1]);
  return (
    <div data-testid="score-bars">
      {entries.map(([label, score], i) => (
        <div key={label} className={`score-bar${i === 0 ? " top" : ""}`} data-testid="score-bar" data-label={label}>
          <span className="mono" title={label}>
            {label}
          </span>
          <ProgressBar value={score} label={`Score for ${label}`} valueText={formatPercent(score)} />
          <span className="num mono">{formatPercent(score)}</span>
        </div>
      ))}
    </div>
  );
}
