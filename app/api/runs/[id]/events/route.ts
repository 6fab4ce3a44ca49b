import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { logInternalError, route } from "@/lib/http";
import { createWaker, sharedRead } from "@/lib/runs/web/event-stream";
import { runGeneration, subscribeToRun } from "@/lib/runs/web/live";
import type { RunView } from "@/lib/runs/types";
import { getRunView, runLogsAfter } from "@/lib/runs/web/views";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
const POLL_MS = 1000;
const KEEPALIVE_MS = 15000;

/**
 * Server-Sent Events of one run: `log` events (id = the line's sequence number, so the browser's
 * Last-Event-ID resumes without gap or duplicate), `progress` events with the run, and a final
 * `end` event. Woken by NOTIFY (one that arrives during a pass makes the next pass start at once),
 * with a one-second poll as a safety net; the streams of a run woken by one NOTIFY share its reads.
 */
export const GET = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req);
  const { id } = await ctx.params;
  const first = await getRunView(db(), id);
  if (!first) throw new AppError("not_found", 404, `No run has id "${id}"`);
  const url = new URL(req.url);
  let lastSeq = Number(req.headers.get("last-event-id") ?? url.searchParams.get("after") ?? 0) || 0;

  const encoder = new TextEncoder();
  let closed = false;
  const waker = createWaker();
  let unsubscribe = () => {};

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: string, data: unknown, eventId?: number) => {
        if (closed) return;
        controller.enqueue(encoder.encode(`${eventId !== undefined ? `id: ${eventId}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      };
      unsubscribe = subscribeToRun(id, waker.wake);
      req.signal.addEventListener("abort", () => {
        closed = true;
        waker.wake();
      });
      controller.enqueue(encoder.encode(`retry: 1000\n\n`));
      let lastProgress = "";
      let lastKeepalive = Date.now();
      try {
        while (!closed) {
          // streams woken by the same NOTIFY share these reads (one query each, not one per stream)
          const generation = runGeneration(id);
          const run = (await sharedRead(`view ${id} ${generation}`, () => getRunView(db(), id))) as RunView;
          for (;;) {
            const after = lastSeq;
            const lines = await sharedRead(`logs ${id} ${generation} ${after}`, () => runLogsAfter(db(), id, after, 500));
            for (const line of lines) {
              send("log", line, line.seq);
              lastSeq = line.seq;
            }
            if (lines.length < 500) break;
          }
          const snapshot = JSON.stringify(run);
          if (snapshot !== lastProgress) {
            send("progress", run);
            lastProgress = snapshot;
          }
          if (FINISHED.has(run.status)) {
            // lines written after the status flip are sent by one more pass
            const tail = await runLogsAfter(db(), id, lastSeq);
            for (const line of tail) send("log", line, (lastSeq = line.seq));
            send("end", run);
            break;
          }
          if (Date.now() - lastKeepalive > KEEPALIVE_MS) {
            controller.enqueue(encoder.encode(`: keepalive\n\n`));
            lastKeepalive = Date.now();
          }
          await waker.sleep(POLL_MS);
        }
      } catch (err) {
        if (!closed) send("error", { error: logInternalError(`events of run ${id}`, err) });
      } finally {
        unsubscribe();
        if (!closed) controller.close();
        closed = true;
      }
    },
    cancel() {
      closed = true;
      unsubscribe();
      waker.wake();
    },
  });

  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
});
