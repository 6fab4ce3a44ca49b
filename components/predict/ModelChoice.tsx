import type { ModelRow } from "../models/useModels";

/** Which model answers (when there is more than one), and which of its versions serves. */
export function ModelChoice({ id, models, value, onChange }: { id: string; models: ModelRow[]; value: string; onChange: (name: string) => void }) {
  const chosen = models.find((m) => m.name === value) ?? models.find((m) => m.isDefault) ?? models[0];
  const servingLabels = chosen?.versions?.find((v) => v.serving)?.labels ?? [];
  return (
    <>
      {models.length > 1 ? (
        <div className="field">
          <label htmlFor={id}>Model</label>{" "}
          <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={`${id}-hint`}>
            <option value="">Default model</option>
            {models.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
                {m.isDefault ? " (default)" : ""}
                {m.servingVersionId ? "" : " (nothing serving)"}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {chosen ? (
        <p className="hint" id={`${id}-hint`} data-testid="predict-model-hint">
          {chosen.servingVersionId ? (
            <>
              <strong>{chosen.name}</strong> answers with version <code>{chosen.servingVersionId.slice(0, 10)}</code>
              {servingLabels.length ? <> (labels: {servingLabels.join(", ")})</> : null}.
            </>
          ) : (
            <>Nothing serves for {chosen.name} yet.</>
          )}
        </p>
      ) : null}
    </>
  );
}
