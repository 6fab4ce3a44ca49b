import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TextSpill } from "../../lib/runs/text-spill";
import { removeDeadSpills } from "../../lib/process/spill-files";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "spill-"));

/** Texts of every kind: empty, ASCII, multi-byte UTF-8, astral, bigger than the read buffer and than a write batch. */
function texts(): string[] {
  const out = ["", "hello world", "Café crème naïve ÜBER straße", "日本語のテキスト 😀😀", " \n\t ", "x".repeat(70_000), "é".repeat(3 * 2 ** 20)];
  for (let i = 0; i < 2000; i++) out.push(`row ${i} ${"word ".repeat(i % 37)}${i % 5 === 0 ? "ü" : ""}`);
  return out;
}

test("TextSpill: every text reads back exactly, before and after the batch is written, in any order", () => {
  const dir = tmp();
  const spill = new TextSpill(path.join(dir, "spill"), "run-1");
  try {
    const all = texts();
    all.forEach((t, i) => {
      assert.equal(spill.append(t), i);
      // read back while it may still wait in the batch
      assert.equal(spill.read(i), t);
    });
    spill.flush();
    assert.equal(spill.size, all.length);
    for (let i = all.length - 1; i >= 0; i -= 3) assert.equal(spill.read(i), all[i], `text ${i}`);
    for (let i = 0; i < all.length; i++) assert.equal(spill.read(i), all[i], `text ${i}`);
    assert.throws(() => spill.read(all.length), RangeError);
    assert.throws(() => spill.read(-1), RangeError);
    assert.ok(existsSync(spill.file));
    assert.match(path.basename(spill.file), new RegExp(`-${process.pid}-run-1\\.bin$`));
  } finally {
    spill.close();
  }
  assert.equal(existsSync(spill.file), false, "close removes the file");
  assert.throws(() => spill.read(0), /closed/);
  spill.close(); // twice is fine
});

test("TextSpill: texts given as UTF-8 bytes and as strings, mixed, read back alike (a 6 MiB one written past the batch)", () => {
  const spill = new TextSpill(path.join(tmp(), "spill"), "bytes");
  try {
    const all = texts();
    // the bytes lie inside a bigger buffer, as a COPY chunk's fields do
    all.forEach((t, i) => {
      if (i % 2 === 0) assert.equal(spill.append(t), i);
      else {
        const bytes = Buffer.concat([Buffer.from("<<<"), Buffer.from(t, "utf8"), Buffer.from(">>>")]);
        assert.equal(spill.appendBytes(bytes, 3, bytes.length - 3), i);
      }
    });
    for (let i = 0; i < all.length; i++) assert.equal(spill.read(i), all[i], `text ${i}`);
    assert.deepEqual(spill.readMany([5, 3, 1, 0]), [all[5], all[3], all[1], all[0]]);
  } finally {
    spill.close();
  }
});

test("removeDeadSpills: removes this host's files of dead processes only", () => {
  const dir = tmp();
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const deadPid = Number(dead.stdout);
  assert.ok(deadPid > 0);
  const host = os.hostname().replace(/[^A-Za-z0-9_.]/g, "_");
  const mine = new TextSpill(dir, "live-run");
  try {
    writeFileSync(path.join(dir, `texts-${host}-${deadPid}-dead-run.bin`), "left behind");
    writeFileSync(path.join(dir, `texts-${host}-${process.ppid}-parent-run.bin`), "a live process's");
    writeFileSync(path.join(dir, `texts-other_host-${deadPid}-run.bin`), "another machine's");
    writeFileSync(path.join(dir, "notes.txt"), "not a spill file");
    assert.deepEqual(removeDeadSpills(dir), [`texts-${host}-${deadPid}-dead-run.bin`]);
    assert.deepEqual(readdirSync(dir).sort(), [path.basename(mine.file), `texts-${host}-${process.ppid}-parent-run.bin`, "notes.txt", `texts-other_host-${deadPid}-run.bin`].sort());
    assert.deepEqual(removeDeadSpills(path.join(dir, "missing")), []);
  } finally {
    mine.close();
  }
});

test("TextSpill.readMany: the same texts as one read per text, for runs in file order, sparse and shuffled picks, and texts still in the batch", () => {
  const dir = tmp();
  const spill = new TextSpill(path.join(dir, "spill"), "run-many");
  try {
    const all = texts();
    all.forEach((t) => spill.append(t));
    // some texts still wait in the batch: readMany writes them first
    const inOrder = all.map((_, i) => i);
    assert.deepEqual(spill.readMany(inOrder), all);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const sparse = inOrder.filter(() => rand() < 0.1);
    const shuffled = [...inOrder].sort(() => rand() - 0.5).slice(0, 500);
    for (const pick of [sparse, shuffled, [5, 5, 0, 6], []]) assert.deepEqual(spill.readMany(pick), pick.map((i) => all[i]));
    assert.throws(() => spill.readMany([0, all.length]), RangeError);
  } finally {
    spill.close();
  }
});

test("TextSpill: lone surrogates at the ends of neighbouring texts stay in their own texts", () => {
  const spill = new TextSpill(tmp(), "surrogates");
  try {
    const texts = ["ends high \ud83d", "\ude00 starts low", "plain", "\ud83d\ude00 whole"];
    texts.forEach((t) => spill.append(t));
    spill.flush();
    // a lone surrogate is written as U+FFFD, as Buffer.from writes it
    assert.deepEqual(texts.map((_, i) => spill.read(i)), texts.map((t) => Buffer.from(t, "utf8").toString("utf8")));
    assert.deepEqual(spill.readMany([3, 0, 1]), [3, 0, 1].map((i) => Buffer.from(texts[i], "utf8").toString("utf8")));
  } finally {
    spill.close();
  }
});
