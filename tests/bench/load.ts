// The load generator of the serving bench: autocannon in a child process of its own (never in the
// server's process nor the bench's), one fixed-duration measurement per call, read from its --json
// output.
import { spawn } from "node:child_process";
import path from "node:path";

export interface LoadRequest {
  url: string;
  connections: number;
  durationS: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** a file holding the body (for bodies too long for a command-line argument) */
  bodyFile?: string;
}

export interface LoadFigures {
  connections: number;
  durationS: number;
  requests: number;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** answers that were not 2xx, connection errors and timeouts (a figure with any of these is suspect) */
  non2xx: number;
  errors: number;
  timeouts: number;
}

export function autocannon(root: string, r: LoadRequest): Promise<LoadFigures> {
  const args = [path.join(root, "node_modules", "autocannon", "autocannon.js"), "--json", "-c", String(r.connections), "-d", String(r.durationS), "-m", r.method ?? "GET"];
  for (const [k, v] of Object.entries(r.headers ?? {})) args.push("-H", `${k}=${v}`);
  if (r.body !== undefined) args.push("-b", r.body);
  if (r.bodyFile !== undefined) args.push("-i", r.bodyFile);
  args.push(r.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("error", reject);
    child.once("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`autocannon exited ${code}: ${err.slice(-2000)}`));
      const j = JSON.parse(line) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
        timeouts: number;
        duration: number;
      };
      resolve({
        connections: r.connections,
        durationS: j.duration,
        requests: j.requests.total,
        requestsPerS: j.requests.total / j.duration,
        p50Ms: j.latency.p50,
        p99Ms: j.latency.p99,
        non2xx: j.non2xx,
        errors: j.errors,
        timeouts: j.timeouts,
      });
    });
  });
}
