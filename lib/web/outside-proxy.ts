import { NextResponse } from "next/server";
import { crossOriginRefusal } from "./same-origin";
import { contentSecurityPolicy, newNonce, securityHeaders } from "./security-headers";

// What proxy.ts does, done by a route that proxy.ts skips (its matcher): the cross-origin write
// refusal and the security headers. POST /api/predict is such a route: running Next.js's proxy
// before a request costs more than scoring a short text (measured with `npm run bench -- --only
// serving`: one short text at concurrency 32, about 240 → 790 requests/s without it, against 620
// for GET /api/health behind the proxy; loaded 2-core machine), so the one route meant for heavy
// machine traffic does the same two things itself, at a fraction of the cost. GET /api/health
// does too: it is the serving bench's ceiling, which must take the same path.

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

export function withProxyDefences<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    const refusal = crossOriginRefusal(req);
    const res = refusal ? NextResponse.json({ error: refusal }, { status: 403 }) : await handler(req, ctx);
    for (const [name, value] of Object.entries(securityHeaders(contentSecurityPolicy(newNonce())))) res.headers.set(name, value);
    return res;
  };
}

/**
 * The 405 of a method such a route does not take, with the security headers (Next.js's own 405
 * for a method the route does not export would have none, proxy.ts being skipped).
 */
export function methodNotAllowed(allow: string[]): Handler<unknown> {
  const message = `This route takes ${allow.join(" or ")}`;
  return withProxyDefences(async () => NextResponse.json({ error: message }, { status: 405, headers: { allow: allow.join(", ") } }));
}
