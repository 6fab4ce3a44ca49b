import { fileTooLarge, importUpload, MAX_IMPORT_BYTES } from "@/lib/data/import";
import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { receiveUpload } from "@/lib/http-upload";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/**
 * Imports a CSV or JSONL file (multipart: file, table, labelColumn?, textColumn?, format?, dryRun?,
 * dedupe?) into a new table (id, label, text). Without a table name, or with dryRun=true, only
 * reports: fields, accepted lines, rejected lines with line number and reason, label distribution,
 * the fields not imported and the repeated texts (`warnings`); dedupe=true keeps only the first
 * line of each text.
 * The upload is streamed to a temporary file (413 past the limit, with or without Content-Length)
 * and parsed from there as a stream.
 */
export const POST = route(async (req) => {
  await requireCaller(req, "admin");
  const upload = await receiveUpload(req, { fileField: "file", maxFileBytes: MAX_IMPORT_BYTES, tooLarge: fileTooLarge });
  try {
    const result = await importUpload(db(), upload);
    return json(result, result.created ? 201 : 200);
  } finally {
    await upload.dispose();
  }
});
