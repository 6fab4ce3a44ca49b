import { Worker } from "node:worker_threads";

// Verifies legacy bcrypt hashes (written by earlier versions) on a worker thread: bcryptjs is pure
// JavaScript, and on the main thread forty parallel logins stalled every other request for seconds.
// One thread, started on first use, holding the process open only while a check is pending; bcryptjs is loaded from node_modules at run time
// (the code is evaluated, so the web bundler leaves it alone).

const SOURCE = `
const { parentPort } = require("node:worker_threads");
const bcrypt = require("bcryptjs");
parentPort.on("message", ({ id, password, hash }) => {
  bcrypt.compare(password, hash).then((ok) => parentPort.postMessage({ id, ok }), (err) => parentPort.postMessage({ id, error: String(err && err.message || err) }));
});
`;

type Pending = { resolve(ok: boolean): void; reject(err: Error): void };
let worker: Worker | null = null;
const pending = new Map<number, Pending>();
let nextId = 0;

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(SOURCE, { eval: true });
  w.on("message", ({ id, ok, error }: { id: number; ok?: boolean; error?: string }) => {
    const p = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) w.unref();
    if (error !== undefined) p?.reject(new Error(`bcrypt: ${error}`));
    else p?.resolve(ok === true);
  });
  const fail = (err: Error) => {
    if (worker === w) worker = null;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  w.on("error", fail);
  w.on("exit", (code) => fail(new Error(`the bcrypt thread exited (${code})`)));
  worker = w;
  return w;
}

/** bcrypt.compare(password, hash) on the worker thread. */
export function bcryptCompare(password: string, hash: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const w = thread();
    w.ref();
    w.postMessage({ id, password, hash });
  });
}
