import type { z } from "zod";
import type { FieldIssue } from "../errors";

// zod's issues → the API's `issues` list, each naming a field: the one mapping for every schema
// (run requests, settings, models, query parameters). An unknown key becomes an issue of its own,
// worded by the caller when it can say more (a run request suggests the name it probably meant).

export type UnknownNameMessage = (name: string) => string;

const unknownField: UnknownNameMessage = () => "is not a known field";

export function toFieldIssues(error: z.ZodError, unknownName: UnknownNameMessage = unknownField): FieldIssue[] {
  return error.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ path: [...i.path, k].join("."), message: unknownName(k) }))
      : [{ path: i.path.length ? i.path.join(".") : "(body)", message: i.message }],
  );
}
