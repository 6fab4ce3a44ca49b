// Builds the web app when its sources changed since the last build (same check as npm start):
// run as a script, once for the test suite; imported, by benchmarks that start `next start`.
import { fileURLToPath } from "node:url";
import { buildWeb, webBuildIsCurrent } from "../../lib/web-build";

export async function ensureWebBuild(root: string, log: (line: string) => void): Promise<void> {
  if (await webBuildIsCurrent(root)) return;
  log("building the web app…");
  await buildWeb(root, { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureWebBuild(process.cwd(), (line) => console.log(`[tests] ${line}`));
}
