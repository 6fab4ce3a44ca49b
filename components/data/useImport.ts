"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { ImportSummary } from "@/lib/data/import";
import type { ApiError } from "@/lib/errors";
import { MAX_IMPORT_BYTES, tableNameSchema } from "@/lib/validations/import";
import { ApiRequestError } from "../api";

export type ImportAnswer = ImportSummary & { created: null | { table: string; rows: number } };
export type ImportState = ReturnType<typeof useImport>;

/** POSTs the multipart form (apiFetch sends JSON only). */
async function postImport(form: FormData): Promise<ImportAnswer> {
  let res: Response;
  try {
    res = await fetch("/api/import", { method: "POST", body: form, credentials: "same-origin" });
  } catch {
    throw new ApiRequestError(0, { error: "Could not reach the server. Check that it is running and try again." });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = (body as ApiError | undefined)?.error ? (body as ApiError) : { error: `Import failed: ${res.status} ${res.statusText}` };
    throw new ApiRequestError(res.status, err);
  }
  return body as ImportAnswer;
}

function suggestName(fileName: string): string {
  const base = fileName.replace(/\.[^.]+$/, "").toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  const name = /^[a-z_]/.test(base) ? base : `t_${base}`;
  return name.slice(0, 63) || "imported";
}

/** The upload: the chosen file and fields, a dry-run check (the report), then the real import. */
export function useImport() {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [tableName, setTableName] = useState("");
  const [labelColumn, setLabelColumn] = useState("");
  const [textColumn, setTextColumn] = useState("");
  const [dedupe, setDedupe] = useState(false);
  const [localError, setLocalError] = useState<string | null>(null);
  const [nameTouched, setNameTouched] = useState(false);

  const check = useMutation({ mutationFn: postImport });
  const create = useMutation({
    mutationFn: postImport,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["tables"] });
    },
  });

  const nameCheck = tableNameSchema.safeParse(tableName);
  const nameError = nameTouched && !nameCheck.success ? nameCheck.error.issues[0]?.message : null;
  const serverIssues = (create.error instanceof ApiRequestError ? create.error.issues : []).concat(check.error instanceof ApiRequestError ? check.error.issues : []);
  const issueFor = (path: string) => serverIssues.filter((i) => i.path === path).map((i) => i.message);

  function formData(dryRun: boolean): FormData | null {
    if (!file) {
      setLocalError("Choose a CSV or JSONL file first.");
      return null;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      setLocalError(`The file is ${(file.size / 1024 / 1024).toFixed(1)} MB; imports are limited to ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Split it into smaller files.`);
      return null;
    }
    setLocalError(null);
    const f = new FormData();
    f.set("file", file);
    if (labelColumn) f.set("labelColumn", labelColumn);
    if (textColumn) f.set("textColumn", textColumn);
    if (dedupe) f.set("dedupe", "true");
    if (!dryRun) f.set("table", tableName.trim());
    f.set("dryRun", dryRun ? "true" : "false");
    return f;
  }

  function chooseFile(f: File | null) {
    setFile(f);
    setLabelColumn("");
    setTextColumn("");
    check.reset();
    create.reset();
    if (f && !tableName) setTableName(suggestName(f.name));
  }

  /** A changed field makes the last check stale. */
  function chooseField(which: "label" | "text", value: string) {
    (which === "label" ? setLabelColumn : setTextColumn)(value);
    check.reset();
  }

  /** Keep only the first line of each text (or every line): the last check no longer says what will be created. */
  function chooseDedupe(on: boolean) {
    setDedupe(on);
    check.reset();
  }

  function runCheck(e?: FormEvent) {
    e?.preventDefault();
    const f = formData(true);
    if (!f) return;
    create.reset();
    check.mutate(f, {
      onSuccess: (r) => {
        if (!labelColumn && r.label) setLabelColumn(r.label);
        if (!textColumn && r.text) setTextColumn(r.text);
      },
    });
  }

  function runCreate() {
    setNameTouched(true);
    if (!nameCheck.success) return;
    const f = formData(false);
    if (f) create.mutate(f);
  }

  return {
    file,
    tableName,
    setTableName,
    touchName: () => setNameTouched(true),
    nameError,
    labelColumn,
    textColumn,
    dedupe,
    chooseDedupe,
    localError,
    check,
    create,
    report: check.data,
    issueFor,
    chooseFile,
    chooseField,
    runCheck,
    runCreate,
  };
}
