import { listen, listening } from "./listener";

// A per-process cache of the rows that every prediction reads (which user and role an API token
// stands for; which version of a model answers), so that a steady stream of requests costs no
// database round trip. It is never stale for long:
// - the database announces each change in the change's own transaction: triggers NOTIFY
//   CACHE_CHANNEL with the change's topic (prisma/migrations/…_cache_invalidate), and every web
//   process LISTENs (./listener.ts) and drops that topic's entries;
// - the process that made a change also drops them itself once it commits (localChange), so its
//   very next request reads anew, without waiting for the NOTIFY to come round;
// - entries are trusted only while the LISTEN connection is up (everything is dropped when it
//   drops and again when it is back), and for TTL_MS at most, in case it dies unnoticed;
// - a read that began before a drop is not stored (the drop's generation moved on meanwhile).
// Only reads through the process's own client (lib/db/client.ts, DATABASE_URL, the database the
// LISTEN connection watches) are cached; another client reads through.

export const CACHE_CHANNEL = "cache_invalidate";
export type CacheTopic = "tokens" | "serving";

export const TTL_MS = 5000;
const MAX_ENTRIES = 1000;

export interface CacheOptions {
  topic: CacheTopic;
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
  /** whether drops are being heard (the LISTEN connection is up) */
  trusted?: () => boolean;
}

export class InvalidatedCache<V> {
  readonly topic: CacheTopic;
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private generation = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly trusted: () => boolean;

  constructor(o: CacheOptions) {
    this.topic = o.topic;
    this.ttlMs = o.ttlMs ?? TTL_MS;
    this.maxEntries = o.maxEntries ?? MAX_ENTRIES;
    this.now = o.now ?? Date.now;
    this.trusted = o.trusted ?? (() => listening(CACHE_CHANNEL));
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** The value of `key`: cached, or `load()`ed and kept when `keep(value)` (not for failed or empty reads). */
  async get(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.expires > this.now()) return hit.value;
      this.entries.delete(key);
    }
    const generation = this.generation;
    const trusted = this.trusted();
    const value = await load();
    if (trusted && generation === this.generation && keep(value)) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string); // the oldest
      this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    }
    return value;
  }
}

const g = globalThis as unknown as { invalidatedCaches?: Map<string, InvalidatedCache<unknown>>; cacheListening?: boolean };
// on globalThis: Next.js may load this module once per route bundle, and a change made by one route
// must drop the entries that another reads
const caches = (g.invalidatedCaches ??= new Map());

function clearTopic(topic: string | null): void {
  for (const c of caches.values()) if (topic === null || c.topic === topic) c.clear();
}

/** The process's cache named `name` (one per name, made on first use); starts the LISTEN. */
export function sharedCache<V>(name: string, topic: CacheTopic): InvalidatedCache<V> {
  let c = caches.get(name) as InvalidatedCache<V> | undefined;
  if (!c) caches.set(name, (c = new InvalidatedCache<V>({ topic })));
  if (!g.cacheListening) {
    g.cacheListening = true;
    listen(CACHE_CHANNEL, { onNotify: (topic) => clearTopic(topic || null), onReset: () => clearTopic(null) });
  }
  return c;
}

/** Drops this process's entries of `topic`: call it once a change of that topic has committed. */
export function localChange(topic: CacheTopic): void {
  clearTopic(topic);
}
