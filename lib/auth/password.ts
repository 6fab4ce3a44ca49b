import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import os from "node:os";
import { bcryptCompare } from "./bcrypt-thread";

// Password hashes: scrypt from node:crypto, which runs on libuv's thread pool, never on the event
// loop. Stored as "scrypt$<log2 N>$<r>$<p>$<salt>$<key>" (base64url), so the cost can be raised
// later: a hash with other parameters still verifies and is rewritten at the next sign-in.
// scrypt reads every byte of the password (bcrypt stops at 72). Hashes written by earlier versions
// (bcrypt, "$2a$"/"$2b$") still verify, on a worker thread, and are upgraded at sign-in; a password
// longer than bcrypt's 72 bytes never matches one, since bcrypt cannot tell such passwords apart.
//
// At most HASH_CONCURRENCY hashes run at once, the rest queue: each takes 32 MiB and a thread of
// the pool, and one core is always left to the event loop (a flood of wrong passwords slows other
// sign-ins, not every other request); the pool's other threads stay free for file and crypto work.

const CURRENT = { log2N: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const HASH_CONCURRENCY = Math.max(1, Math.min(2, os.availableParallelism() - 1));
const BCRYPT_MAX_BYTES = 72;

let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= HASH_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, params: typeof CURRENT): Promise<Buffer> {
  const N = 2 ** params.log2N;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return limited(
    () => new Promise((resolve, reject) => scrypt(password.normalize("NFC"), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)))),
  );
}

const b64 = (b: Buffer) => b.toString("base64url");

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, CURRENT);
  return ["scrypt", CURRENT.log2N, CURRENT.r, CURRENT.p, b64(salt), b64(key)].join("$");
}

export interface Verification {
  ok: boolean;
  /** the hash uses an older scheme or cost: store hashPassword(password) instead */
  rehash: boolean;
}

function parseScrypt(stored: string) {
  const [scheme, log2N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !key) return null;
  const params = { log2N: Number(log2N), r: Number(r), p: Number(p) };
  if (![params.log2N, params.r, params.p].every((n) => Number.isInteger(n) && n > 0) || params.log2N > 22) return null;
  return { params, salt: Buffer.from(salt, "base64url"), key: Buffer.from(key, "base64url") };
}

export async function verifyPassword(password: string, stored: string): Promise<Verification> {
  const s = parseScrypt(stored);
  if (s) {
    const key = await derive(password, s.salt, s.params);
    const ok = key.length === s.key.length && timingSafeEqual(key, s.key);
    const current = s.params.log2N === CURRENT.log2N && s.params.r === CURRENT.r && s.params.p === CURRENT.p;
    return { ok, rehash: ok && !current };
  }
  if (/^\$2[aby]\$\d\d\$/.test(stored)) {
    if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) return { ok: await verifyNoUser(password), rehash: false };
    const ok = await limited(() => bcryptCompare(password, stored));
    return { ok, rehash: ok };
  }
  return { ok: await verifyNoUser(password), rehash: false };
}

let dummy: Promise<string> | null = null;

/**
 * The same work as verifying a password, against a hash nobody's password matches: a sign-in for
 * an unknown e-mail takes as long as one for a known e-mail. Always false.
 */
export async function verifyNoUser(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  const s = parseScrypt(await dummy)!;
  await derive(password, s.salt, s.params);
  return false;
}

export const generatePassword = () => randomBytes(15).toString("base64url");
