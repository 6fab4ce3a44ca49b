// Downloads a model folder from the Hugging Face Hub in the layout transformers.js reads:
//
//   config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx [, onnx/model_quantized.onnx]
//
// into a temporary sibling of the destination, then renames it into place (a failed or interrupted
// pull never leaves a half-written model folder). Offline it fails within seconds, saying so and
// how to copy a folder in instead.
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface PullProgress {
  file: string;
  /** Bytes of this file so far, and its size when the server said (else null). */
  bytes: number;
  total: number | null;
  /** Files finished so far and files to fetch (the optional quantized file counts when present). */
  filesDone: number;
  files: number;
}

export interface PullOptions {
  onProgress?(p: PullProgress): void;
  /** Give up when a server has not answered within this many ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Hub address; default $HF_ENDPOINT or https://huggingface.co. */
  endpoint?: string;
  revision?: string;
}

const REQUIRED = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"];
const OPTIONAL = ["onnx/model_quantized.onnx"];

/** A pull that failed because the hub cannot be reached (rather than, say, a missing file). */
export class HubUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HubUnreachableError";
  }
}

export function offlineMessage(hubId: string, destDir: string, reason: string): string {
  const name = path.basename(destDir);
  const root = path.dirname(destDir);
  return [
    `Cannot reach the Hugging Face Hub (${reason}): this machine has no access to the hub.`,
    `To use ${hubId} here, copy its folder in from a machine that has it, in the layout transformers.js reads:`,
    `  ${path.join(root, name)}/config.json`,
    `  ${path.join(root, name)}/tokenizer.json`,
    `  ${path.join(root, name)}/tokenizer_config.json`,
    `  ${path.join(root, name)}/onnx/model.onnx`,
    `  ${path.join(root, name)}/onnx/model_quantized.onnx   (optional)`,
    `(i.e. models/<name>/… under MODELS_DIR; for example the files of https://huggingface.co/${hubId}/tree/main).`,
    `Then \`npm run models -- list\` shows it. To try the encoder path offline, \`npm run models -- synth-bert <name>\` writes a BERT-shaped model with random weights.`,
  ].join("\n");
}

/** Network errors that mean "no route to the hub" rather than an HTTP answer. */
const OFFLINE_CODES = new Set([
  "ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ENETUNREACH", "EHOSTUNREACH", "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET", "CERT_HAS_EXPIRED", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);

function networkReason(e: unknown): string | null {
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return "no answer within the connect timeout";
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (e as { code?: string })?.code;
  if (code && OFFLINE_CODES.has(code)) return `${code}${cause?.message ? `: ${cause.message}` : ""}`;
  if (e instanceof TypeError && e.message === "fetch failed") return cause?.message ?? "fetch failed";
  return null;
}

/** GET with a deadline for the response headers (the body may then take as long as it takes). */
async function get(url: string, connectTimeoutMs: number): Promise<Response> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(new DOMException("connect timeout", "TimeoutError")), connectTimeoutMs);
  try {
    return await fetch(url, { signal: ctrl.signal, redirect: "follow", headers: { "user-agent": "finetune-dashboard" } });
  } finally {
    clearTimeout(timer);
  }
}

function validHubId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/.test(id) && !id.includes("..");
}

/**
 * Downloads `hubId` into `destDir` (which must not exist yet). Throws HubUnreachableError (with
 * offlineMessage) when the hub cannot be reached, and a plain Error naming the file for HTTP errors.
 */
export async function pullModel(hubId: string, destDir: string, opts: PullOptions = {}): Promise<{ files: string[]; bytes: number }> {
  if (!validHubId(hubId)) throw new Error(`not a Hugging Face model id: "${hubId}" (expected owner/name, e.g. Xenova/bert-base-cased)`);
  const dest = path.resolve(destDir);
  if (await stat(dest).then(() => true, () => false)) throw new Error(`${dest} already exists; remove it or pick another --name`);
  const endpoint = (opts.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
  const revision = encodeURIComponent(opts.revision ?? "main");
  const timeout = opts.connectTimeoutMs ?? 10_000;
  const tmp = path.join(path.dirname(dest), `.pull-${path.basename(dest)}-${process.pid}-${Date.now()}`);
  const fetched: string[] = [];
  let totalBytes = 0;
  const files = [...REQUIRED, ...OPTIONAL];
  try {
    await mkdir(path.join(tmp, "onnx"), { recursive: true });
    for (const file of files) {
      const url = `${endpoint}/${hubId}/resolve/${revision}/${file}`;
      let res: Response;
      try {
        res = await get(url, timeout);
      } catch (e) {
        const reason = networkReason(e);
        if (reason) throw new HubUnreachableError(offlineMessage(hubId, dest, reason), { cause: e });
        throw e;
      }
      if (res.status === 404 && OPTIONAL.includes(file)) {
        await res.body?.cancel();
        continue;
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        const hint = res.status === 401 || res.status === 404 ? " (is the id right, and is it a transformers.js/ONNX conversion such as Xenova/<model>?)" : "";
        throw new Error(`${hubId}: GET ${file} answered HTTP ${res.status}${hint}`);
      }
      const len = Number(res.headers.get("content-length"));
      const total = Number.isFinite(len) && len > 0 ? len : null;
      let bytes = 0;
      const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
      body.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        opts.onProgress?.({ file, bytes, total, filesDone: fetched.length, files: files.length });
      });
      await pipeline(body, createWriteStream(path.join(tmp, file)));
      fetched.push(file);
      totalBytes += bytes;
      opts.onProgress?.({ file, bytes, total: total ?? bytes, filesDone: fetched.length, files: files.length });
    }
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(tmp, dest);
    return { files: fetched, bytes: totalBytes };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** "[#####.....]  42% 180.3/430.0 MB onnx/model.onnx (4/5)" */
export function formatProgress(p: PullProgress, width = 30): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const frac = p.total ? Math.min(1, p.bytes / p.total) : 0;
  const filled = Math.round(frac * width);
  const bar = p.total ? "#".repeat(filled) + ".".repeat(width - filled) : "?".repeat(width);
  const pct = p.total ? `${String(Math.floor(frac * 100)).padStart(3)}%` : "   ?";
  return `[${bar}] ${pct} ${mb(p.bytes)}/${p.total ? mb(p.total) : "?"} MB ${p.file} (${Math.min(p.filesDone + 1, p.files)}/${p.files})`;
}
