// A signed-in HTTP client for API tests: next-auth's credentials flow (CSRF token, then the
// callback), keeping cookies like a browser.

export interface Client {
  base: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json<T = unknown>(path: string, init?: Omit<RequestInit, "body"> & { body?: unknown }): Promise<{ status: number; body: T }>;
}

function cookieJar() {
  const jar = new Map<string, string>();
  return {
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    store(res: Response) {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const i = pair.indexOf("=");
        jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
      }
    },
  };
}

export function client(base: string, auth?: { bearer?: string }): Client & { jar: ReturnType<typeof cookieJar> } {
  const jar = cookieJar();
  const doFetch = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.header()) headers.set("cookie", jar.header());
    if (auth?.bearer) headers.set("authorization", `Bearer ${auth.bearer}`);
    const res = await fetch(base + path, { ...init, headers, redirect: "manual" });
    jar.store(res);
    return res;
  };
  return {
    base,
    jar,
    fetch: doFetch,
    async json(path, init = {}) {
      const body = init.body === undefined || typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      const headers = new Headers(init.headers);
      headers.set("content-type", "application/json");
      const res = await doFetch(path, { ...init, body: body as string | undefined, headers });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
  };
}

export async function login(base: string, email: string, password: string): Promise<Client> {
  const c = client(base);
  const { body } = await c.json<{ csrfToken: string }>("/api/auth/csrf");
  const res = await c.fetch("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken: body.csrfToken, email, password, json: "true" }).toString(),
  });
  await res.text();
  const me = await c.json<{ email?: string }>("/api/me");
  if (me.status !== 200) throw new Error(`login as ${email} failed (${me.status})`);
  return c;
}
