"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { ApiRequestError, apiFetch, errorMessage } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime } from "../format";
import { ACTIONS, Table } from "../Table";
import { TextField } from "../TextField";
import { useConfirmedMutation } from "../useConfirmedMutation";

// API tokens: created tokens are shown once (only their hash is stored), with a copy button.

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  user: string;
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function TokensSettings() {
  const id = useId();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: ({ signal }) => apiFetch<{ tokens: TokenRow[] }>("/api/tokens", { signal }) });
  const users = useQuery({ queryKey: ["users"], queryFn: ({ signal }) => apiFetch<{ users: { id: string; email: string; role: string }[]; me: string }>("/api/users", { signal }) });
  const [name, setName] = useState("");
  const [userEmail, setUserEmail] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);

  const create = useMutation({
    mutationFn: (body: { name: string; userEmail?: string }) => apiFetch<{ id: string; token: string }>("/api/tokens", { method: "POST", body }),
    onSuccess: (r, vars) => {
      setShown({ name: vars.name, token: r.token });
      setCopied(null);
      setName("");
      void queryClient.invalidateQueries({ queryKey: ["tokens"] });
      void queryClient.invalidateQueries({ queryKey: ["users"] });
    },
    onError: (err) => setNameError(err instanceof ApiRequestError && err.issues.length ? err.issues.map((i) => `${i.path}: ${i.message}`).join("; ") : errorMessage(err)),
  });
  const revoke = useConfirmedMutation(
    (t: TokenRow) => apiFetch(`/api/tokens/${encodeURIComponent(t.id)}`, { method: "DELETE" }),
    () => {
      void queryClient.invalidateQueries({ queryKey: ["tokens"] });
      void queryClient.invalidateQueries({ queryKey: ["users"] });
    },
  );

  function onCreate(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setNameError("Give the token a name, such as the script or machine that will use it.");
      return;
    }
    setNameError(null);
    create.mutate({ name: name.trim(), ...(userEmail ? { userEmail } : {}) });
  }

  async function copy() {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown.token);
      setCopied("yes");
    } catch {
      setCopied("no");
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-h`} id="tokens">
      <h2 id={`${id}-h`}>API tokens</h2>
      <p className="hint">
        For scripts: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts with its user&apos;s role.
      </p>

      {shown ? (
        <div className="alert alert-info token-once" role="status" data-testid="new-token">
          <div className="alert-title">Token &quot;{shown.name}&quot; created: copy it now, it will not be shown again</div>
          <div className="row">
            <label className="visually-hidden" htmlFor={`${id}-tok`}>
              New API token
            </label>
            <input id={`${id}-tok`} type="text" readOnly value={shown.token} className="mono token-value" data-testid="new-token-value" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="btn" onClick={() => void copy()}>
              Copy
            </button>
            <button type="button" className="btn" onClick={() => setShown(null)}>
              Done
            </button>
          </div>
          <p className="small" aria-live="polite">
            {copied === "yes" ? "Copied to the clipboard." : copied === "no" ? "The browser did not allow copying: select the token and copy it by hand." : ""}
          </p>
        </div>
      ) : null}

      {tokens.isError ? <ErrorBox error={tokens.error} title="Could not list the tokens" /> : null}
      {tokens.data ? (
        tokens.data.tokens.length === 0 ? (
          <p className="muted">No API tokens yet.</p>
        ) : (
          <Table columns={["Name", "Starts with", "User", "Created", "Last used", ACTIONS]} testId="tokens-table">
            {tokens.data.tokens.map((t) => (
              <tr key={t.id} data-testid="token-row" data-name={t.name}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>
                  {t.user} <span className="badge badge-role">{t.role}</span>
                </td>
                <td className="small">{formatDateTime(t.createdAt)}</td>
                <td className="small">{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "never"}</td>
                <td>
                  {t.revokedAt ? (
                    <span className="badge badge-cancelled">revoked</span>
                  ) : (
                    <button type="button" className="btn btn-small btn-danger" onClick={() => revoke.ask(t)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )
      ) : null}

      <form className="subform" onSubmit={onCreate} noValidate aria-labelledby={`${id}-new`}>
        <h3 id={`${id}-new`}>Create a token</h3>
        <div className="form-grid">
          <TextField
            id={`${id}-name`}
            label="Token name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={nameError}
            hint="what uses it, e.g. nightly-retrain"
          />
          <div className="field">
            <label htmlFor={`${id}-user`}>For user</label>
            <select id={`${id}-user`} value={userEmail} onChange={(e) => setUserEmail(e.target.value)}>
              <option value="">me</option>
              {(users.data?.users ?? [])
                .filter((u) => u.id !== users.data?.me)
                .map((u) => (
                  <option key={u.id} value={u.email}>
                    {u.email} ({u.role})
                  </option>
                ))}
            </select>
          </div>
        </div>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Create token
        </button>
      </form>

      <ConfirmDialog {...revoke.dialog} title={`Revoke the token ${revoke.target?.name ?? ""}?`} confirmLabel="Revoke token">
        <p>Scripts using it get 401 from now on. This cannot be undone; create a new token instead.</p>
      </ConfirmDialog>
    </section>
  );
}
