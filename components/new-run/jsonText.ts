// Helpers for the JSON request editor: where a parse error is, and where a field is.

export interface JsonParseProblem {
  message: string;
  /** 1-based, when the engine said where. */
  line?: number;
  column?: number;
}

function lineColumnAt(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, position));
  const lines = before.split("\n");
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

export function parseJsonObject(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; problem: JsonParseProblem } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const lc = /line (\d+) column (\d+)/i.exec(raw);
    const pos = /position (\d+)/i.exec(raw);
    const where = lc
      ? { line: Number(lc[1]), column: Number(lc[2]) }
      : pos
        ? lineColumnAt(text, Number(pos[1]))
        : {};
    return { ok: false, problem: { message: raw, ...where } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, problem: { message: "The request must be a JSON object, like { \"table\": …, \"columns\": … }." } };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Where the key of field `path` ("p_of_train", or "a.b" → "b") is written; null when absent. */
export function findKey(text: string, path: string): { line: number; start: number; end: number } | null {
  const key = path.split(".").filter(Boolean).pop() ?? path;
  if (!key) return null;
  const re = new RegExp(`"${escapeRegExp(key)}"\\s*:`, "g");
  const match = re.exec(text);
  if (!match) return null;
  const start = match.index;
  const line = text.slice(0, start).split("\n").length;
  return { line, start, end: start + key.length + 2 };
}
