import path from "node:path";
import { z } from "zod";
import { emailSchema } from "./validations/email";

// Every environment variable the product reads, parsed once.
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default(".data"),
  MODELS_DIR: z.string().default("models"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** the web server's address: loopback unless told otherwise (0.0.0.0 for every interface) */
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  ADMIN_EMAIL: emailSchema.optional(),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  NEXTAUTH_SECRET: z.string().optional(),
  /** Reverse proxies in front of the web server whose X-Forwarded-For entries are believed (0: the socket's address). */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Sign-in throttling: failures per account / per client address in a window, then a cool-down. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(20),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().positive().default(900),
  /** A run whose worker sent no heartbeat for this long is failed. */
  RUN_STALE_SECONDS: z.coerce.number().positive().default(30),
  WORKER_HEARTBEAT_MS: z.coerce.number().int().positive().default(2000),
  WORKER_POLL_MS: z.coerce.number().int().positive().default(1000),
  /** "off": the starter trainer trains on every training row and keeps the raw softmax (no temperature); for measuring what calibration does. */
  STARTER_CALIBRATION: z.enum(["on", "off"]).default("on"),
  /** What this worker encodes on: "cuda" uses onnxruntime-node's CUDA provider when it is installed (ONNXRUNTIME_NODE_INSTALL=cuda12), else the CPU with one log line. */
  WORKER_DEVICE: z.enum(["cpu", "cuda"]).default("cpu"),
  /** Encoder runs: uncached texts per encode shard that any idle worker may take (0: the run's own worker encodes them all; fewer texts than one shard are always encoded there). */
  ENCODE_SHARD_ROWS: z.coerce.number().int().min(0).default(1000),
  /** Threads the starter model trains on (default: every core, os.availableParallelism()); 1 is deterministic (the same seed gives the same weights). */
  TRAIN_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  /** The starter model's training step: "wasm" (WebAssembly SIMD kernels for its hottest loops, lib/training/wasm-kernels.ts) or "js" (the JavaScript loops). */
  STARTER_KERNELS: z.enum(["wasm", "js"]).default("wasm"),
  /** Runs that fetch at least this many rows keep the texts in a file under DATA_DIR/spill instead of in memory (lib/runs/text-spill.ts); 0: always. */
  TEXT_SPILL_ROWS: z.coerce.number().int().min(0).default(50_000),
  /** Starter runs whose token ids would take more than this many MiB (estimated on a sample of the texts) keep them in files under DATA_DIR/spill, read back a bucket at a time each epoch (lib/kinds/starter/encoded-rows.ts); 0: always (once the calibration slice is held out or calibration is off). */
  TOKEN_SPILL_MB: z.coerce.number().min(0).default(256),
  /** How often each worker looks for due schedule ticks (cron with a seconds field fires at most this often). */
  SCHEDULE_TICK_MS: z.coerce.number().int().positive().default(5000),
  /** Webhooks: how often each worker looks for due deliveries, the POST timeout, the first retry's wait (doubling), and attempts before giving up. */
  WEBHOOK_POLL_MS: z.coerce.number().int().positive().default(2000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(10_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** /api/predict: a request that finds its model version idle is scored at once; requests that arrive while it scores are scored together next, waiting at most this long (ms); 0: each request is scored alone. */
  PREDICT_BATCH_WAIT_MS: z.coerce.number().min(0).max(1000).default(2),
  /** /api/predict: a coalesced batch is scored as soon as it holds this many texts; a request with this many or more is scored alone. */
  PREDICT_BATCH_MAX_TEXTS: z.coerce.number().int().min(1).max(1000).default(32),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid environment: ${issues}`);
    }
    cached = parsed.data;
  }
  return cached;
}

export function dataDir(): string {
  return path.resolve(env().DATA_DIR);
}

export function modelsDir(): string {
  return path.resolve(env().MODELS_DIR);
}

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it when it starts the embedded PostgreSQL)");
  return url;
}
