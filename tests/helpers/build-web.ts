// Builds the web app once for the suite when its sources changed (same check as npm start).
import { buildWeb, webBuildIsCurrent } from "../../lib/web-build";

const root = process.cwd();
if (!(await webBuildIsCurrent(root))) {
  console.log("[tests] building the web app…");
  await buildWeb(root, { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" });
}
