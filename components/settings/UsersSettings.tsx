"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import type { UserView } from "@/lib/auth/users";
import { EMAIL_MESSAGE, isEmailAddress } from "@/lib/validations/email";
import { PASSWORD_MAX_LENGTH, PASSWORD_RULE, passwordProblem } from "@/lib/validations/password";
import { ApiRequestError, apiFetch, errorMessage } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime } from "../format";
import { ACTIONS, numeric, Table } from "../Table";
import { TextField } from "../TextField";
import { useConfirmedMutation } from "../useConfirmedMutation";

// Users and roles. The API refuses to delete or demote the last admin; its answer is shown here.

type Role = "admin" | "viewer";

export function UsersSettings() {
  const id = useId();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ["users"], queryFn: ({ signal }) => apiFetch<{ users: UserView[]; me: string }>("/api/users", { signal }) });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [formIssues, setFormIssues] = useState<{ path: string; message: string }[]>([]);
  const [resetting, setResetting] = useState<UserView | null>(null);
  const [newPassword, setNewPassword] = useState("");
  const [rowError, setRowError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ["users"] });
  const create = useMutation({
    mutationFn: (body: { email: string; password: string; role: Role }) => apiFetch<UserView>("/api/users", { method: "POST", body }),
    onSuccess: (u) => {
      setCreated(u.email);
      setEmail("");
      setPassword("");
      setRole("viewer");
      void refresh();
    },
    onError: (err) => setFormIssues(err instanceof ApiRequestError && err.issues.length ? err.issues : [{ path: "(form)", message: errorMessage(err) }]),
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { role?: Role; password?: string } }) => apiFetch<UserView>(`/api/users/${encodeURIComponent(id)}`, { method: "PATCH", body }),
    onSuccess: () => {
      setRowError(null);
      setResetting(null);
      setNewPassword("");
      void refresh();
    },
    onError: (err) => {
      setRowError(errorMessage(err));
      void refresh();
    },
  });
  const remove = useConfirmedMutation(
    (u: UserView) => apiFetch(`/api/users/${encodeURIComponent(u.id)}`, { method: "DELETE" }),
    () => void refresh(),
  );

  function onCreate(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    const issues: { path: string; message: string }[] = [];
    if (!isEmailAddress(email.trim())) issues.push({ path: "email", message: EMAIL_MESSAGE });
    const pwProblem = passwordProblem(password);
    if (pwProblem) issues.push({ path: "password", message: pwProblem });
    setFormIssues(issues);
    if (issues.length === 0) create.mutate({ email: email.trim(), password, role });
  }

  const issue = (path: string) => formIssues.filter((i) => i.path === path).map((i) => i.message).join("; ");
  const admins = users.data?.users.filter((u) => u.role === "admin").length ?? 0;

  return (
    <section className="card" aria-labelledby={`${id}-h`} id="users">
      <h2 id={`${id}-h`}>Users and roles</h2>
      <p className="hint">Admins train, override, import and manage settings; viewers follow runs, browse data and predict.</p>
      {users.isError ? <ErrorBox error={users.error} title="Could not list the users" /> : null}
      {rowError ? (
        <div className="alert alert-error" role="alert" data-testid="user-error">
          {rowError}
        </div>
      ) : null}
      {users.data ? (
        <Table columns={["E-mail", "Role", "Created", numeric("Active tokens"), ACTIONS]} testId="users-table">
          {users.data.users.map((u) => {
            const lastAdmin = u.role === "admin" && admins <= 1;
            const isMe = u.id === users.data.me;
            return (
              <tr key={u.id} data-testid="user-row" data-email={u.email}>
                <td>
                  {u.email} {isMe ? <span className="badge badge-role">you</span> : null}
                </td>
                <td>
                  <label className="visually-hidden" htmlFor={`${id}-role-${u.id}`}>
                    Role of {u.email}
                  </label>
                  <select
                    id={`${id}-role-${u.id}`}
                    value={u.role}
                    disabled={update.isPending || lastAdmin}
                    title={lastAdmin ? "The last admin cannot be made a viewer" : undefined}
                    onChange={(e) => update.mutate({ id: u.id, body: { role: e.target.value as Role } })}
                  >
                    <option value="admin">admin</option>
                    <option value="viewer">viewer</option>
                  </select>
                </td>
                <td className="small">{formatDateTime(u.createdAt)}</td>
                <td className="num">{u.tokens}</td>
                <td>
                  <div className="row row-tight">
                    <button type="button" className="btn btn-small" onClick={() => setResetting(u)} aria-label={`Set a new password for ${u.email}`}>
                      New password
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => remove.ask(u)}
                      disabled={lastAdmin || isMe}
                      title={lastAdmin ? "The last admin cannot be deleted" : isMe ? "You cannot delete your own account" : undefined}
                      aria-label={`Delete ${u.email}`}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            );
          })}
        </Table>
      ) : null}

      {resetting ? (
        <form
          className="subform"
          onSubmit={(e) => {
            e.preventDefault();
            const pwProblem = passwordProblem(newPassword);
            if (pwProblem) return setRowError(`The new password ${pwProblem}.`);
            update.mutate({ id: resetting.id, body: { password: newPassword } });
          }}
          aria-label={`New password for ${resetting.email}`}
        >
          <div className="row">
            <div className="field">
              <label htmlFor={`${id}-np`}>New password for {resetting.email}</label>
              <input id={`${id}-np`} type="password" autoComplete="new-password" maxLength={PASSWORD_MAX_LENGTH} value={newPassword} onChange={(e) => setNewPassword(e.target.value)} />
            </div>
            <button type="submit" className="btn btn-primary" disabled={update.isPending}>
              Set password
            </button>
            <button type="button" className="btn" onClick={() => setResetting(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}

      <form className="subform" onSubmit={onCreate} noValidate aria-labelledby={`${id}-new`}>
        <h3 id={`${id}-new`}>Add a user</h3>
        <div className="form-grid">
          <TextField id={`${id}-email`} label="E-mail" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={issue("email")} />
          <TextField
            id={`${id}-pw`}
            label="Password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={issue("password")}
            maxLength={PASSWORD_MAX_LENGTH}
            hint={PASSWORD_RULE}
          />
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              <option value="viewer">viewer</option>
              <option value="admin">admin</option>
            </select>
          </div>
        </div>
        {issue("(form)") || issue("role") ? <p className="field-error">{issue("(form)") || issue("role")}</p> : null}
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            Create user
          </button>
          <span className="small muted" role="status" data-testid="user-created">
            {create.isPending ? "Creating…" : created ? `Created ${created}.` : ""}
          </span>
        </div>
      </form>

      <ConfirmDialog {...remove.dialog} title={`Delete ${remove.target?.email ?? ""}?`} confirmLabel="Delete user">
        <p>They can no longer sign in, and their API tokens stop working.</p>
      </ConfirmDialog>
    </section>
  );
}
