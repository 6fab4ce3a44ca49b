import { NextResponse } from "next/server";
import { methodNotAllowed, withProxyDefences } from "@/lib/web/outside-proxy";

// GET /api/health: liveness of the web process itself. No sign-in and no database: it answers
// as long as Node.js serves requests, so it is a container healthcheck target and the web
// stack's own ceiling in a load benchmark. Like /api/predict, it skips proxy.ts and sets the
// security headers itself (withProxyDefences), so that the benchmark's ceiling and predict take
// the same path. Keep this module free of lib/db and lib/session (tests/unit/health-route.test.ts
// checks its imports).

export const dynamic = "force-dynamic";

export const GET = withProxyDefences(async () => NextResponse.json({ ok: true }, { headers: { "cache-control": "no-store" } }));

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
