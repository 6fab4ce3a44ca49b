import http from "node:http";
import type { Socket } from "node:net";

// Next.js copies the socket's address into X-Forwarded-For only when a request has none, so a
// client could name any address it likes. This appends the TCP peer's address to whatever the
// request carries, as a proxy would, before Next.js handles the request: the last entry is then
// always the real peer (see lib/auth/client-address.ts). Installed once per process by
// instrumentation.ts.

const INSTALLED = Symbol.for("ftd.forwarded-for");

export function appendPeer(req: http.IncomingMessage): void {
  const peer = (req.socket as Socket | undefined)?.remoteAddress;
  if (!peer) return;
  const given = req.headers["x-forwarded-for"];
  const prior = Array.isArray(given) ? given.join(", ") : given;
  req.headers["x-forwarded-for"] = prior ? `${prior}, ${peer}` : peer;
}

export function installForwardedFor(): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: boolean };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") appendPeer(args[0] as http.IncomingMessage);
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
}
