import http from "node:http";
import { appendPeer } from "./forwarded-for";
import { refuseMalformedPath } from "./malformed-path";

// What the web process does to every request before Next.js sees it (installed once per process
// by instrumentation.ts): record the TCP peer in X-Forwarded-For, and answer paths that Next.js
// cannot decode.

const INSTALLED = Symbol.for("ftd.request-hooks");

export function installRequestHooks(): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: boolean };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (refuseMalformedPath(req, res)) return true;
      appendPeer(req);
    }
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
}
