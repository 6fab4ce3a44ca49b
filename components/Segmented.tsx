"use client";

import { useId, type CSSProperties } from "react";

/** One choice out of a few, as radio buttons drawn as a segmented control. */
export function Segmented<V extends string>({
  legend,
  options,
  value,
  onChange,
  testId,
  style,
}: {
  /** Read by screen readers only. */
  legend: string;
  options: readonly (readonly [V, string])[];
  value: V;
  onChange: (value: V) => void;
  testId?: string;
  style?: CSSProperties;
}) {
  const name = useId();
  return (
    <fieldset className="segmented" data-testid={testId} style={style}>
      <legend className="visually-hidden">{legend}</legend>
      {options.map(([v, label]) => (
        <label key={v}>
          <input type="radio" name={name} value={v} checked={value === v} onChange={() => onChange(v)} />
          {label}
        </label>
      ))}
    </fieldset>
  );
}
