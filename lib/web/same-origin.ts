// Cross-origin writes refused: a request that may change something (any method but GET, HEAD and
// OPTIONS) and may carry the session cookie must come from the dashboard's own origin. Browsers
// send Origin (and Sec-Fetch-Site) on every such request, so a page elsewhere cannot forge one.
// Requests that authenticate with an API token and send no cookie (curl, CI) are not subject to
// it; nor are requests with neither header, which no current browser sends with a POST (the same
// rule as Go's net/http CrossOriginProtection).

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface RequestLike {
  method: string;
  headers: Headers;
}

/** Why the request is refused (403), or null when it may proceed. */
export function crossOriginRefusal({ method, headers }: RequestLike): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const bearer = /^bearer\s/i.test(headers.get("authorization") ?? "");
  if (bearer && !headers.get("cookie")) return null;

  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    return `Cross-origin request refused: the dashboard accepts changes only from its own pages (Sec-Fetch-Site: ${site})`;
  }
  const origin = headers.get("origin");
  if (origin === null) return null;
  const host = headers.get("host");
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    /* "null" or garbage: refused below */
  }
  if (!host || originHost !== host) {
    return `Cross-origin request refused: the dashboard accepts changes only from its own pages (Origin: ${origin})`;
  }
  return null;
}
