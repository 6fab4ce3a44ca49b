import type { ModelRow } from "../models/useModels";

/** The model that answers for a choice ("" = the default model). */
export function chosenModel(models: ModelRow[], value: string): ModelRow | undefined {
  return models.find((m) => m.name === value) ?? models.find((m) => m.isDefault) ?? models[0];
}

function servingLabelsOf(model: ModelRow | undefined): string[] {
  return model?.versions?.find((v) => v.serving)?.labels ?? [];
}

/** The text box's placeholder: what the chosen model tells apart, not an example of another task. */
export function predictPlaceholder(model: ModelRow | undefined): string {
  if (!model) return "Paste a text to classify";
  const serving = servingLabelsOf(model);
  const labels = serving.length ? serving : (model.settings?.labels ?? []);
  return `Paste a text to classify with ${model.name}${labels.length ? ` (labels: ${labels.join(", ")})` : ""}\nOne text per line classifies several`;
}

/** Which model answers (when there is more than one), and which of its versions serves. */
export function ModelChoice({ id, models, value, onChange }: { id: string; models: ModelRow[]; value: string; onChange: (name: string) => void }) {
  const chosen = chosenModel(models, value);
  const servingLabels = servingLabelsOf(chosen);
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
