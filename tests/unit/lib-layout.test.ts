// lib/'s folders form a layered graph: no folder imports from a folder that imports it back
// (directly or through others). A node is a folder under lib/ ("runs/worker"), or a file directly
// in lib/ ("env.ts"). A subfolder may use its parent folder's shared files (lib/kinds/encoder uses
// lib/kinds/types.ts while lib/kinds/index.ts lists the kinds): edges up to an ancestor are not
// counted.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const root = path.resolve(import.meta.dirname, "../..");
const lib = path.join(root, "lib");

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (e === "generated" || e === "node_modules") continue;
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx|mjs)$/.test(e)) out.push(p);
  }
  return out;
}

/** The node of a lib/ file: its folder under lib/, or the file's own name when it lies in lib/. */
function folderOf(file: string): string {
  const rel = path.relative(lib, file).split(path.sep);
  return rel.length === 1 ? rel[0].replace(/\.(ts|tsx|mjs)$/, ".ts") : rel.slice(0, -1).join("/");
}

const isAncestor = (a: string, b: string) => b.startsWith(a + "/");

export function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files(lib)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+|@\/lib\/[^"']+)["']/g)) {
      const spec = m[1];
      let target = spec.startsWith("@/") ? path.join(root, spec.slice(2)) : path.resolve(path.dirname(file), spec);
      if (!target.startsWith(lib + path.sep)) continue;
      if (!/\.(ts|tsx|mjs)$/.test(target)) target = existsSync(path.join(target, "index.ts")) ? path.join(target, "index.ts") : `${target}.ts`;
      const to = folderOf(target);
      if (to !== from && !isAncestor(to, from)) edges.add(to);
    }
  }
  return graph;
}

/** A cycle as a list of folders, or null. */
function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, "open");
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === "open") return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of [...graph.keys()].sort()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

test("no lib/ folder imports from a folder that imports it back", () => {
  const cycle = findCycle(folderGraph());
  assert.equal(cycle, null, `folder import cycle: ${cycle?.join(" → ")}`);
});

test("the cycle check finds a planted cycle", () => {
  const g = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], ["d", new Set(["a"])]]);
  assert.deepEqual(findCycle(g), ["a", "b", "c", "a"]);
});
