// Runs once when a Next.js server process starts, before it handles requests.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { installRequestHooks } = await import("./lib/web/request-hooks");
    installRequestHooks();
  }
}
