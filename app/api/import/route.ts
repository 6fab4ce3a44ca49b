import { importFromForm, MAX_IMPORT_BYTES, tooLarge } from "@/lib/data/import";
import { db } from "@/lib/db/client";
import { HttpError, json, route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/**
 * Imports a CSV or JSONL file (multipart: file, table, labelColumn?, textColumn?, format?, dryRun?)
 * into a new table (id, label, text). Without a table name, or with dryRun=true, only reports:
 * fields, accepted lines, rejected lines with line number and reason, label distribution.
 */
export const POST = route(async (req) => {
  await requireCaller(req, "admin");
  const length = Number(req.headers.get("content-length") ?? 0);
  // The multipart envelope adds a little to the file itself.
  if (length > MAX_IMPORT_BYTES + 64 * 1024) throw tooLarge(length);
  if (!(req.headers.get("content-type") ?? "").includes("multipart/form-data")) {
    throw new HttpError(415, "Send the file as multipart/form-data with a 'file' field", [{ path: "file", message: "is missing" }]);
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new HttpError(400, "The upload could not be read as multipart/form-data", [{ path: "file", message: "could not be read" }]);
  }
  const result = await importFromForm(db(), form);
  return json(result, result.created ? 201 : 200);
});
