import pg from "pg";
import { RUN_QUEUED_CHANNEL } from "../queue";

// The worker's LISTEN connection, which wakes it when a run is queued. When the connection is lost
// it reconnects every `retryMs` (the worker polls meanwhile), and wakes the worker once connected
// again, so a run queued during the outage is not left waiting for the next poll.

export interface WakeListener {
  close(): Promise<void>;
}

export function listenForQueuedRuns(url: string, wake: () => void, opts: { retryMs: number; log: (line: string) => void }): WakeListener {
  let current: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let reported = false;

  function retry(client: pg.Client, why: string): void {
    if (closed || client !== current) return; // an old connection's late event
    current = null;
    client.end().catch(() => {});
    if (!reported) opts.log(`lost its LISTEN connection (${why}); polling, and reconnecting every ${opts.retryMs} ms`);
    reported = true;
    timer = setTimeout(connect, opts.retryMs);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: url });
    current = client;
    client.on("error", (err) => retry(client, err.message));
    client.on("end", () => retry(client, "connection ended"));
    client.on("notification", () => wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${RUN_QUEUED_CHANNEL}`);
      if (reported) opts.log("LISTEN connection is back");
      reported = false;
      wake();
    } catch (err) {
      retry(client, (err as Error).message);
    }
  }

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await current?.end().catch(() => {});
    },
  };
}
