"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState, type FormEvent } from "react";
import type { ApiError } from "@/lib/errors";
import { parseRunRequest } from "@/lib/validations/run-request";
import { ApiRequestError, apiFetch, errorMessage } from "../api";
import { useTables } from "../data/useTables";
import { useModels } from "../models/useModels";
import { findKey, parseJsonObject, type JsonParseProblem } from "./jsonText";
import { display, modelKindOf, toJsonValue } from "./requestFields";

// The new-run form's state. The JSON text is the one source of truth: fields read from the parsed
// request and write back into the text. Checked in the browser with the API's own schema.

export type Issue = { path: string; message: string };

export type Problem =
  | { kind: "json"; problem: JsonParseProblem }
  | { kind: "api"; status: number; body: ApiError }
  | { kind: "other"; message: string };

export type NewRunFormState = ReturnType<typeof useNewRunForm>;

export function useNewRunForm(initialText: string) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [text, setText] = useState(initialText);
  /** What is typed in the number boxes, so "0." or "1e-" survive until they read as numbers. */
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);

  const tables = useTables();
  const models = useModels();

  const parsed = useMemo(() => parseJsonObject(text), [text]);
  const request = parsed.ok ? parsed.value : null;
  // The chosen model's kind picks the schema, as on the server (null while unknown: the widest one).
  const kind = modelKindOf(models.data?.models, request?.model);
  const check = useMemo(() => (request ? parseRunRequest(request, kind) : null), [request, kind]);
  const liveIssues: Issue[] = check && !check.ok ? check.issues : [];
  const serverIssues: Issue[] = problem?.kind === "api" ? (problem.body.issues ?? []) : [];

  const mutation = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<{ id: string }>("/api/runs", { method: "POST", body }),
    onSuccess: ({ id }) => {
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
      router.push(`/runs/${id}`);
    },
    onError: (err) => {
      if (err instanceof ApiRequestError) setProblem({ kind: "api", status: err.status, body: err.body });
      else setProblem({ kind: "other", message: errorMessage(err) });
    },
  });

  /** Issues of a field: the server's as last answered, the browser's once touched or submitted. */
  function issuesFor(path: string): string[] {
    const server = serverIssues.filter((i) => i.path === path).map((i) => i.message);
    const live = submitted || touched.has(path) ? liveIssues.filter((i) => i.path === path).map((i) => i.message) : [];
    return [...new Set([...server, ...live])];
  }

  function writeFields(changes: Record<string, unknown>) {
    if (!request) return;
    const next: Record<string, unknown> = { ...request };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === "") delete next[k];
      else next[k] = v;
    }
    setText(JSON.stringify(next, null, 2));
    if (problem?.kind === "api") {
      // A field the user changed is no longer what the server objected to.
      const rest = serverIssues.filter((i) => !(i.path in changes) && !(i.path === "columns" && ("table" in changes || "columns" in changes)));
      setProblem(rest.length ? { ...problem, body: { ...problem.body, issues: rest } } : null);
    }
  }

  function touch(...names: string[]) {
    setTouched((prev) => new Set([...prev, ...names]));
  }

  /** Writes one field and marks it touched (selects). */
  function choose(name: string, value: unknown) {
    writeFields({ [name]: value });
    touch(name);
  }

  function setNumber(name: string, raw: string) {
    setDrafts((d) => ({ ...d, [name]: raw }));
    writeFields({ [name]: toJsonValue(raw) });
  }

  function numberValue(name: string): string {
    const fromJson = display(request?.[name]);
    const draft = drafts[name];
    // The draft wins while it still means what the JSON holds.
    return draft !== undefined && display(toJsonValue(draft)) === fromJson ? draft : fromJson;
  }

  function editText(next: string) {
    setText(next);
    setDrafts({});
    if (problem?.kind === "json") setProblem(null);
  }

  const badLines = useMemo(() => {
    const lines = new Set<number>();
    if (!parsed.ok && parsed.problem.line) lines.add(parsed.problem.line);
    if (problem?.kind === "api") {
      for (const issue of problem.body.issues ?? []) {
        const at = findKey(text, issue.path);
        if (at) lines.add(at.line);
      }
    }
    return lines;
  }, [problem, parsed, text]);

  function focusAt(start: number, end: number) {
    const el = textareaRef.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(start, end);
  }

  function focusLine(line: number, column = 1) {
    const lines = text.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i]!.length + 1;
    focusAt(start + column - 1, start + (lines[line - 1]?.length ?? 0));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    const json = parseJsonObject(text);
    if (!json.ok) {
      setProblem({ kind: "json", problem: json.problem });
      return;
    }
    // Same schema as the route handler: catch field problems before sending.
    const checked = parseRunRequest(json.value, kind);
    if (!checked.ok) {
      setProblem({ kind: "api", status: 400, body: { error: "The request has invalid fields.", issues: checked.issues } });
      return;
    }
    setProblem(null);
    mutation.mutate(json.value);
  }

  function reset() {
    setText(initialText);
    setDrafts({});
    setTouched(new Set());
    setSubmitted(false);
    setProblem(null);
  }

  const shownProblem: Problem | null = problem ?? (!parsed.ok && submitted ? { kind: "json", problem: parsed.problem } : null);

  return {
    text,
    parsed,
    request,
    tables,
    models: models.data?.models ?? [],
    submitted,
    shownProblem,
    invalid: shownProblem !== null || !parsed.ok,
    badLines,
    textareaRef,
    pending: mutation.isPending,
    changed: text !== initialText,
    issuesFor,
    writeFields,
    touch,
    choose,
    setNumber,
    numberValue,
    editText,
    focusAt,
    focusLine,
    submit,
    reset,
  };
}
