import { NextResponse } from "next/server";

// GET /api/health: liveness of the web process itself. No sign-in and no database: it answers
// as long as Node.js serves requests, so it is a container healthcheck target and the web
// stack's own ceiling in a load benchmark. Keep this module free of lib/db and lib/session
// (tests/unit/health-route.test.ts checks its imports).

export const dynamic = "force-dynamic";

export function GET(): NextResponse {
  return NextResponse.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
