interface ProgressBarProps {
  /** 0..1 */
  value: number;
  label: string;
  /** Text read by assistive technology instead of the percentage. */
  valueText?: string;
  small?: boolean;
  className?: string;
}

export function ProgressBar({ value, label, valueText, small, className }: ProgressBarProps) {
  const clamped = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  const percent = Math.round(clamped * 100);
  return (
    <div
      className={["progress", small ? "progress-small" : "", className ?? ""].join(" ").trim()}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={valueText ?? `${percent} %`}
    >
      <div className="progress-fill" style={{ width: `${clamped * 100}%` }} />
    </div>
  );
}
