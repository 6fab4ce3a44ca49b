"use client";

import { useState } from "react";
import { ApiRequestError, errorMessage } from "../api";
import type { ModelRow } from "./useModels";
import type { Registry } from "./useRegistry";

/** Admins: point an alias (new, or moved from its version) at a version of this model. */
export function AliasForm({ model, registry, numberOf }: { model: ModelRow; registry: Registry; numberOf: (id: string) => number }) {
  const [alias, setAlias] = useState("");
  const [versionId, setVersionId] = useState(model.versions[0]?.id ?? "");
  const { setAlias: mutation } = registry;
  const issues = mutation.error instanceof ApiRequestError ? mutation.error.issues : [];
  const issueOf = (field: string) => issues.find((i) => i.path === field)?.message ?? null;
  const other = mutation.isError && issues.length === 0 ? errorMessage(mutation.error) : null;
  const id = `alias-${model.name}`;
  return (
    <form
      className="row"
      style={{ marginTop: "0.75rem", alignItems: "flex-end" }}
      data-testid="alias-form"
      onSubmit={(e) => {
        e.preventDefault();
        mutation.mutate({ alias: alias.trim(), versionId }, { onSuccess: () => setAlias("") });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-name`}>Alias</label>
        <input id={`${id}-name`} value={alias} onChange={(e) => setAlias(e.target.value)} placeholder="challenger" maxLength={40} aria-invalid={issueOf("alias") ? true : undefined} />
        {issueOf("alias") ? <p className="field-error">{issueOf("alias")}</p> : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-version`}>Version</label>
        <select id={`${id}-version`} value={versionId} onChange={(e) => setVersionId(e.target.value)}>
          {model.versions.map((v) => (
            <option key={v.id} value={v.id}>
              v{numberOf(v.id)} ({v.id.slice(0, 10)}){v.serving ? ", serving" : ""}
            </option>
          ))}
        </select>
        {issueOf("versionId") ? <p className="field-error">{issueOf("versionId")}</p> : null}
      </div>
      <button type="submit" className="btn" disabled={mutation.isPending || !alias.trim() || !versionId}>
        Set alias
      </button>
      {other ? (
        <p className="field-error" role="alert">
          {other}
        </p>
      ) : null}
      <p className="hint small" style={{ flexBasis: "100%" }}>
        An alias names one version besides the serving one; setting an alias that exists moves it. Predict with it:{" "}
        <code>{`POST /api/predict {"model": "${model.name}", "alias": "…", "inputs": …}`}</code>
      </p>
    </form>
  );
}
