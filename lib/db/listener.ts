import pg from "pg";
import { databaseUrl } from "../env";

// The one LISTEN connection of a process (DATABASE_URL), shared by every channel something here
// waits on: run events for the live pages (lib/runs/web/live.ts) and cache invalidations for the
// prediction path (./invalidated-cache.ts). It opens on the first subscription. When it drops,
// NOTIFYs sent meanwhile are lost: every subscriber is told (onReset) when it drops and again once
// it listens anew, and it reconnects after RETRY_MS while anyone still subscribes.

const RETRY_MS = 1000;
const CHANNEL = /^[a-z_][a-z0-9_]*$/;

export interface ChannelSubscriber {
  onNotify: (payload: string) => void;
  /** the connection dropped, or is back (NOTIFYs may have been missed in between) */
  onReset?: () => void;
}

interface ListenerState {
  client: pg.Client | null;
  /** connected: a new channel is LISTENed on the spot */
  connected: boolean;
  listened: Set<string>;
  channels: Map<string, Set<ChannelSubscriber>>;
  retry: NodeJS.Timeout | null;
}

const g = globalThis as unknown as { pgListener?: ListenerState };
const state = (): ListenerState => (g.pgListener ??= { client: null, connected: false, listened: new Set(), channels: new Map(), retry: null });

function resetAll(s: ListenerState): void {
  for (const subs of s.channels.values()) for (const sub of subs) sub.onReset?.();
}

function listenOn(s: ListenerState, client: pg.Client, channel: string): Promise<void> {
  return client.query(`LISTEN ${channel}`).then(() => {
    if (s.client !== client) return;
    s.listened.add(channel);
    for (const sub of s.channels.get(channel) ?? []) sub.onReset?.();
  });
}

function connect(s: ListenerState): void {
  if (s.client || s.retry) return;
  const client = new pg.Client({ connectionString: databaseUrl(), keepAlive: true });
  s.client = client;
  let lost = false;
  const lose = () => {
    if (lost) return;
    lost = true;
    if (s.client === client) {
      s.client = null;
      s.connected = false;
      s.listened.clear();
    }
    client.end().catch(() => {});
    resetAll(s);
    if (s.channels.size > 0 && !s.retry) {
      s.retry = setTimeout(() => {
        s.retry = null;
        if (s.channels.size > 0) connect(s);
      }, RETRY_MS);
      s.retry.unref();
    }
  };
  client.on("notification", (n) => {
    for (const sub of s.channels.get(n.channel) ?? []) sub.onNotify(n.payload ?? "");
  });
  client.on("error", lose);
  client.on("end", lose);
  client
    .connect()
    .then(() => {
      if (lost) return;
      s.connected = true;
      return Promise.all([...s.channels.keys()].map((ch) => listenOn(s, client, ch)));
    })
    .catch(lose);
}

/** Calls `sub.onNotify` with each NOTIFY's payload on `channel`; returns the unsubscribe function. */
export function listen(channel: string, sub: ChannelSubscriber): () => void {
  if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
  const s = state();
  const subs = s.channels.get(channel) ?? new Set();
  s.channels.set(channel, subs.add(sub));
  if (s.client && s.connected && !s.listened.has(channel)) listenOn(s, s.client, channel).catch(() => {});
  else connect(s);
  return () => {
    subs.delete(sub);
    if (subs.size === 0) s.channels.delete(channel);
  };
}

/** Whether this process is LISTENing on `channel` now, so that it receives the channel's NOTIFYs. */
export function listening(channel: string): boolean {
  const s = state();
  return s.connected && s.listened.has(channel);
}
