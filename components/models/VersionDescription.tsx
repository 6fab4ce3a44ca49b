"use client";

import { useState } from "react";
import { VERSION_DESCRIPTION_MAX } from "@/lib/validations/registry";
import { errorMessage } from "../api";
import type { Registry } from "./useRegistry";

/** A version's description under its name; admins edit it in place (Save / Cancel). */
export function VersionDescription({ versionId, description, isAdmin, registry, versionLabel }: { versionId: string; description: string | null; isAdmin: boolean; registry: Registry; versionLabel: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const { describe } = registry;
  if (draft === null) {
    return (
      <div className="small">
        {description ? (
          <span data-testid="version-description" style={{ whiteSpace: "pre-wrap" }}>
            {description}
          </span>
        ) : isAdmin ? null : (
          <span className="muted">—</span>
        )}
        {isAdmin ? (
          <>
            {description ? " " : null}
            <button type="button" className="link-button small" onClick={() => {
                describe.reset();
                setDraft(description ?? "");
              }} aria-label={`Edit the description of ${versionLabel}`}>
              {description ? "edit" : "add description"}
            </button>
          </>
        ) : null}
      </div>
    );
  }
  const save = () => describe.mutate({ versionId, description: draft }, { onSuccess: () => setDraft(null) });
  const id = `description-${versionId}`;
  return (
    <div className="small" style={{ marginTop: "0.3rem" }}>
      <label htmlFor={id} className="muted">
        Description of {versionLabel}
      </label>
      <textarea id={id} rows={3} maxLength={VERSION_DESCRIPTION_MAX} value={draft} onChange={(e) => setDraft(e.target.value)} style={{ display: "block", width: "100%", minWidth: "14rem" }} />
      {describe.isError ? (
        <p className="field-error" role="alert">
          {errorMessage(describe.error)}
        </p>
      ) : null}
      <div className="row row-tight" style={{ marginTop: "0.3rem" }}>
        <button type="button" className="btn btn-small" disabled={describe.isPending} onClick={save}>
          Save description
        </button>
        <button type="button" className="btn btn-small" onClick={() => setDraft(null)}>
          Cancel
        </button>
        <span className="muted">
          {draft.length.toLocaleString("en")} / {VERSION_DESCRIPTION_MAX.toLocaleString("en")}
        </span>
      </div>
    </div>
  );
}
