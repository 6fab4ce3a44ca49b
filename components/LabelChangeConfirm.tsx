"use client";

import { useId, useState } from "react";
import { labelChange } from "@/lib/runs/comparison";

export type LabelChange = ReturnType<typeof labelChange>;

/** How `next` changes the labels of `current` (lib/runs/comparison.ts labelChange); null when it does not. */
export function labelChangeBetween(current: string[], next: string[]): LabelChange | null {
  const change = labelChange(current, next);
  return change.added.length || change.removed.length ? change : null;
}

/**
 * The typed-name confirmation a label change needs: `confirmed` once the model's name is typed.
 * It empties whenever `askedFor` changes (a dialog opened for another version, or closed).
 */
export function useTypedName(modelName: string, askedFor: string | null) {
  const [typed, setTyped] = useState("");
  const [forKey, setForKey] = useState(askedFor);
  if (forKey !== askedFor) {
    setForKey(askedFor);
    setTyped("");
  }
  return { typed, setTyped, confirmed: typed.trim() === modelName };
}

/** Inside a promotion dialog: what changes for every client, and the box to type the model's name in. */
export function LabelChangeConfirm({ modelName, change, typedName }: { modelName: string; change: LabelChange; typedName: ReturnType<typeof useTypedName> }) {
  const id = useId();
  return (
    <div className="alert alert-warn" data-testid="label-change">
      <p style={{ marginTop: 0 }}>
        <strong>The labels change.</strong> Every client of <strong>{modelName}</strong> (pages and API) will get other labels:
      </p>
      <ul>
        {change.added.length ? <li>added: {change.added.join(", ")}</li> : null}
        {change.removed.length ? <li>removed: {change.removed.join(", ")}</li> : null}
      </ul>
      <label htmlFor={id}>
        Type <code>{modelName}</code> to confirm
      </label>
      <input id={id} className="input" autoComplete="off" value={typedName.typed} onChange={(e) => typedName.setTyped(e.target.value)} data-testid="confirm-model-name" />
    </div>
  );
}
