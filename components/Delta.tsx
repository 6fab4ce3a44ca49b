"use client";

import { createContext, useContext } from "react";
import { deltaTone, formatDeltaNumber, formatDeltaPoints } from "./format";

/** Inside it, changes are shown without "better"/"worse" colours: the scores do not compare (e.g. the labels changed). */
export const IncomparableDeltas = createContext(false);

interface DeltaProps {
  oldValue: number | null | undefined;
  newValue: number | null | undefined;
  /** "points": show as percentage points (scores 0..1); "number": raw difference (losses). */
  unit?: "points" | "number";
  lowerIsBetter?: boolean;
}

/** new − old, coloured green when better and red when worse. */
export function Delta({ oldValue, newValue, unit = "points", lowerIsBetter = false }: DeltaProps) {
  if (oldValue === null || oldValue === undefined || newValue === null || newValue === undefined) {
    return <span className="delta-zero">—</span>;
  }
  const delta = newValue - oldValue;
  const tone = useContext(IncomparableDeltas) ? "zero" : deltaTone(delta, lowerIsBetter);
  const text = unit === "points" ? formatDeltaPoints(delta) : formatDeltaNumber(delta);
  const word = tone === "good" ? "better" : tone === "bad" ? "worse" : delta === 0 ? "unchanged" : "not comparable";
  return (
    <span className={`delta-${tone}`} data-testid="delta" data-tone={tone}>
      {text}
      <span className="visually-hidden"> ({word})</span>
    </span>
  );
}
