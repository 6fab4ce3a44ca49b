"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { WEBHOOK_EVENTS, type WebhookEvent, type WebhookView } from "@/lib/webhooks/schema";
import { ApiRequestError, apiFetch, errorMessage } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime } from "../format";
import { ACTIONS, numeric, Table } from "../Table";
import { TextField } from "../TextField";
import { useConfirmedMutation } from "../useConfirmedMutation";

// Settings › Webhooks: endpoints that receive run.finished and version.promoted as signed JSON
// POSTs, each with its latest deliveries (status, attempts, last error). The secret is sent once.

type Issue = { path: string; message: string };
const STATUS_BADGE: Record<string, string> = { delivered: "badge-succeeded", pending: "badge-queued", failed: "badge-failed" };

export function WebhooksSettings() {
  const id = useId();
  const queryClient = useQueryClient();
  const hooks = useQuery({
    queryKey: ["webhooks"],
    queryFn: ({ signal }) => apiFetch<{ webhooks: WebhookView[] }>("/api/webhooks", { signal }),
    refetchInterval: 10_000,
  });
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>([...WEBHOOK_EVENTS]);
  const [secret, setSecret] = useState("");
  const [issues, setIssues] = useState<Issue[]>([]);
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: ["webhooks"] });

  const create = useMutation({
    mutationFn: (body: { url: string; events: WebhookEvent[]; secret: string }) => apiFetch<WebhookView>("/api/webhooks", { method: "POST", body }),
    onSuccess: () => {
      setUrl("");
      setSecret("");
      setIssues([]);
      invalidate();
    },
    onError: (err) => setIssues(err instanceof ApiRequestError && err.issues.length ? err.issues : [{ path: "(request)", message: errorMessage(err) }]),
  });
  const remove = useConfirmedMutation((w: WebhookView) => apiFetch(`/api/webhooks/${encodeURIComponent(w.id)}`, { method: "DELETE" }), invalidate);
  const issueOf = (path: string) => issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`)).map((i) => i.message).join("; ") || null;

  function onCreate(e: FormEvent) {
    e.preventDefault();
    create.mutate({ url: url.trim(), events, secret });
  }

  return (
    <section className="card" aria-labelledby={`${id}-h`} id="webhooks">
      <h2 id={`${id}-h`}>Webhooks</h2>
      <p className="hint">
        Each event is POSTed as JSON <code>{`{event, createdAt, data}`}</code> with <code>X-Signature-256: sha256=&lt;hex&gt;</code>, the
        HMAC-SHA256 of the exact body under the webhook&apos;s secret. A delivery that fails (no 2xx within 10 s) is retried with
        growing waits.
      </p>
      {hooks.isError ? <ErrorBox error={hooks.error} title="Could not list the webhooks" /> : null}
      {hooks.data?.webhooks.length === 0 ? <p className="muted">No webhooks yet.</p> : null}
      {hooks.data?.webhooks.map((w) => (
        <div key={w.id} className="subform" data-testid="webhook" data-url={w.url}>
          <div className="row">
            <code className="mono" style={{ overflowWrap: "anywhere" }}>
              {w.url}
            </code>
            <span className="small muted">{w.events.join(", ")}</span>
            <span className="spacer" />
            <button type="button" className="btn btn-small btn-danger" onClick={() => remove.ask(w)} aria-label={`Delete the webhook ${w.url}`}>
              Delete
            </button>
          </div>
          {w.deliveries.length === 0 ? (
            <p className="small muted">No deliveries yet.</p>
          ) : (
            <Table columns={["Event", "Status", numeric("Attempts"), "Last error", "Created"]} testId="deliveries-table" caption={`Latest deliveries to ${w.url}`} scrollLabel={`Latest deliveries to ${w.url}`}>
              {w.deliveries.map((d) => (
                <tr key={d.id} data-testid="delivery-row" data-status={d.status}>
                  <td>{d.event}</td>
                  <td>
                    <span className={`badge ${STATUS_BADGE[d.status] ?? ""}`}>{d.status}</span>
                    {d.status === "pending" && d.nextAttemptAt && d.attempts > 0 ? <span className="small muted"> next {formatDateTime(d.nextAttemptAt)}</span> : null}
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td className="small" style={{ overflowWrap: "anywhere" }}>
                    {d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : "—")}
                  </td>
                  <td className="small">{formatDateTime(d.createdAt)}</td>
                </tr>
              ))}
            </Table>
          )}
        </div>
      ))}

      <form className="subform" onSubmit={onCreate} noValidate aria-labelledby={`${id}-new`}>
        <h3 id={`${id}-new`}>Add a webhook</h3>
        <div className="form-grid">
          <TextField id={`${id}-url`} label="URL" type="text" inputMode="url" value={url} onChange={(e) => setUrl(e.target.value)} error={issueOf("url")} hint="http:// or https://" />
          <TextField
            id={`${id}-secret`}
            label="Secret"
            type="password"
            autoComplete="off"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            error={issueOf("secret")}
            hint="16 characters or more; not shown again"
          />
          <fieldset className="fieldset form-grid-wide" aria-describedby={`${id}-events-note`}>
            <legend>Events</legend>
            {WEBHOOK_EVENTS.map((ev) => (
              <div className="checkbox-field" key={ev}>
                <input
                  id={`${id}-ev-${ev}`}
                  type="checkbox"
                  checked={events.includes(ev)}
                  onChange={(e) => setEvents((cur) => (e.target.checked ? [...cur, ev] : cur.filter((x) => x !== ev)))}
                />
                <label htmlFor={`${id}-ev-${ev}`}>{ev}</label>
              </div>
            ))}
            {issueOf("events") ? (
              <p className="field-error" id={`${id}-events-note`}>
                {issueOf("events")}
              </p>
            ) : null}
          </fieldset>
        </div>
        {issueOf("(body)") || issueOf("(request)") ? (
          <div className="alert alert-error" role="alert">
            {issueOf("(body)") ?? issueOf("(request)")}
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Add webhook
        </button>
      </form>

      <ConfirmDialog {...remove.dialog} title={`Delete the webhook ${remove.target?.url ?? ""}?`} confirmLabel="Delete webhook">
        <p>Its pending deliveries are dropped.</p>
      </ConfirmDialog>
    </section>
  );
}
