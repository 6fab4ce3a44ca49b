// Runs once when a Next.js server process starts, before it handles requests.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { installForwardedFor } = await import("./lib/web/forwarded-for");
    installForwardedFor();
  }
}
