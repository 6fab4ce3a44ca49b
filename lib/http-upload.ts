import busboy from "busboy";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { bodyChunks } from "./http";
import { AppError } from "./errors";

// A multipart/form-data upload, read as a stream: the file part goes to a temporary file as it
// arrives (never into memory), the other parts are short text fields. The size limit holds while
// reading, with or without Content-Length: past it the upload stops with the caller's 413.

export interface Upload {
  fields: Record<string, string>;
  /** the part named `fileField`, on disk */
  file: { path: string; name: string; bytes: number } | null;
  /** removes the temporary file */
  dispose(): Promise<void>;
}

const FIELD_CHARS = 4096;
/** the multipart envelope and the text fields around the file */
const ENVELOPE_BYTES = 64 * 1024;

const unreadable = (why: string) =>
  new AppError("invalid_request", 400, `The upload could not be read as multipart/form-data: ${why}`, [{ path: "file", message: "could not be read" }]);

export async function receiveUpload(req: Request, opts: { fileField: string; maxFileBytes: number; tooLarge: () => AppError }): Promise<Upload> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw new AppError("unsupported_media_type", 415, `Send the file as multipart/form-data with a '${opts.fileField}' field`, [{ path: opts.fileField, message: "is missing" }]);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      limits: { files: 1, fields: 20, parts: 24, fieldSize: FIELD_CHARS, fileSize: opts.maxFileBytes },
    });
  } catch (err) {
    throw unreadable((err as Error).message);
  }
  const dir = await mkdtemp(join(tmpdir(), "upload-"));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const fields: Record<string, string> = {};
  let file: Upload["file"] = null;
  const writes: Promise<void>[] = [];
  // The first refusal wins: once the parser is destroyed with it, the streams around it may fail
  // with other errors (a premature close) in any order.
  let refused: AppError | null = null;
  const refuse = (err: AppError) => {
    refused ??= err;
    parser.destroy(err);
  };
  parser.on("field", (name, value, info) => {
    if (info.valueTruncated) refuse(new AppError("invalid_request", 400, `The form field '${name}' is longer than ${FIELD_CHARS} characters`, [{ path: name, message: "is too long" }]));
    else fields[name] = value;
  });
  parser.on("file", (name, stream, info) => {
    if (name !== opts.fileField || file) {
      stream.resume();
      return;
    }
    const current = { path: join(dir, "file"), name: info.filename ?? "", bytes: 0 };
    file = current;
    stream.on("data", (chunk: Buffer) => (current.bytes += chunk.length));
    stream.on("limit", () => refuse(opts.tooLarge()));
    const written = pipeline(stream, createWriteStream(current.path));
    written.catch(() => {}); // awaited below on success; after a refusal its failure is expected
    writes.push(written);
  });
  try {
    const bodyTooLarge = () => (refused ??= opts.tooLarge());
    await pipeline(Readable.from(bodyChunks(req, opts.maxFileBytes + ENVELOPE_BYTES, bodyTooLarge)), parser);
    await Promise.all(writes);
  } catch (err) {
    await dispose();
    if (refused) throw refused;
    if (err instanceof AppError) throw err;
    throw unreadable((err as Error).message);
  }
  return { fields, file, dispose };
}
