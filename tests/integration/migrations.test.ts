import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { INTERNAL_TABLES } from "../../lib/db/catalog";
import { migrate } from "../../lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

// The SQL migrations, applied to an empty database, must produce exactly what schema.prisma
// describes: Prisma's own schema parser (prisma-schema-wasm) gives the expected model, the
// PostgreSQL catalogue gives the actual one.

const require = createRequire(import.meta.url);
const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf(params: string): string };

interface Field {
  name: string; dbName?: string | null; kind: string; type: string; isList: boolean; isRequired: boolean; nativeType?: [string, string[]] | null;
  relationFromFields?: string[]; relationToFields?: string[]; relationOnDelete?: string;
}
interface Model { name: string; dbName: string | null; fields: Field[] }
interface Index { model: string; type: "id" | "unique" | "normal" | "fulltext"; fields: { name: string }[] }

const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: readFileSync("prisma/schema.prisma", "utf8") }))).datamodel as {
  models: Model[]; enums: { name: string; values: { name: string }[] }[]; indexes: Index[];
};
const tableOf = (m: Model) => m.dbName ?? m.name;
const modelByName = new Map(dmmf.models.map((m) => [m.name, m]));
const colOf = (m: Model, field: string) => {
  const f = m.fields.find((x) => x.name === field)!;
  return f.dbName ?? f.name;
};
const PG_TYPE: Record<string, string> = {
  String: "text", Int: "integer", Float: "double precision", Boolean: "boolean",
  DateTime: "timestamp without time zone", Json: "jsonb", Bytes: "bytea", BigInt: "bigint",
};

/** element types of list columns, by Prisma type or native type (@db.Real) */
const LIST_UDT: Record<string, string> = { String: "text", Int: "int4", Float: "float8", Real: "float4", Boolean: "bool", BigInt: "int8" };

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase({ prepare: false });
  await migrate(t.url);
});
after(async () => t?.drop());

test("every model is a table with exactly its fields as columns, of the right type and nullability", async () => {
  const cols = await t.db.$queryRaw<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string }[]>`
    SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`;
  const tables = new Set(cols.map((c) => c.table_name));
  assert.deepEqual([...tables].sort(), [...dmmf.models.map(tableOf), "_prisma_migrations"].sort());
  for (const m of dmmf.models) {
    const actual = cols.filter((c) => c.table_name === tableOf(m));
    const scalars = m.fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
    assert.deepEqual(actual.map((c) => c.column_name).sort(), scalars.map((f) => f.dbName ?? f.name).sort(), `columns of ${m.name}`);
    for (const f of scalars) {
      const c = actual.find((x) => x.column_name === (f.dbName ?? f.name))!;
      const where = `${m.name}.${f.name}`;
      if (f.isList) {
        assert.equal(c.data_type, "ARRAY", where);
        assert.equal(c.udt_name, `_${LIST_UDT[f.nativeType?.[0] ?? f.type]}`, where);
      } else if (f.kind === "enum") {
        assert.equal(c.data_type, "USER-DEFINED", where);
        assert.equal(c.udt_name, f.type, where);
      } else {
        assert.equal(c.data_type, PG_TYPE[f.type], where);
      }
      if (!f.isList) assert.equal(c.is_nullable, f.isRequired ? "NO" : "YES", `nullability of ${where}`);
    }
  }
});

test("every table of the product's own, all but the demo table, is internal: never a run's data source", () => {
  const own = dmmf.models.map(tableOf).filter((name) => name !== "demo_email");
  assert.deepEqual(own.filter((name) => !INTERNAL_TABLES.has(name)), []);
});

test("enums have exactly the schema's values, in order", async () => {
  const rows = await t.db.$queryRaw<{ typname: string; enumlabel: string }[]>`
    SELECT t.typname::text AS typname, e.enumlabel::text AS enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ORDER BY t.typname, e.enumsortorder`;
  const actual = new Map<string, string[]>();
  for (const r of rows) actual.set(r.typname, [...(actual.get(r.typname) ?? []), r.enumlabel]);
  assert.deepEqual(Object.fromEntries(actual), Object.fromEntries(dmmf.enums.map((e) => [e.name, e.values.map((v) => v.name)])));
});

test("primary keys, unique constraints and indexes match @id, @unique, @@id, @@unique and @@index", async () => {
  const rows = await t.db.$queryRaw<{ table: string; primary: boolean; unique: boolean; cols: string[] }[]>`
    SELECT c.relname::text AS "table", i.indisprimary AS "primary", i.indisunique AS "unique",
           array_agg(a.attname::text ORDER BY k.ord) AS cols
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE c.relname <> '_prisma_migrations'
    GROUP BY c.relname, i.indexrelid, i.indisprimary, i.indisunique`;
  const key = (table: string, kind: string, cols: string[]) => `${table}:${kind}:${cols.join(",")}`;
  const actual = rows.map((r) => key(r.table, r.primary ? "id" : r.unique ? "unique" : "normal", r.cols)).sort();
  const expected = dmmf.indexes
    .map((ix) => {
      const m = modelByName.get(ix.model)!;
      return key(tableOf(m), ix.type, ix.fields.map((f) => colOf(m, f.name)));
    })
    .sort();
  assert.deepEqual(actual, expected);
});

test("foreign keys match the relations, with their onDelete rules", async () => {
  const rows = await t.db.$queryRaw<{ from_table: string; from_cols: string[]; to_table: string; to_cols: string[]; on_delete: string }[]>`
    SELECT cl.relname::text AS from_table, ref.relname::text AS to_table,
      (SELECT array_agg(a.attname::text ORDER BY u.ord) FROM unnest(c.conkey) WITH ORDINALITY u(n, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = u.n) AS from_cols,
      (SELECT array_agg(a.attname::text ORDER BY u.ord) FROM unnest(c.confkey) WITH ORDINALITY u(n, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = u.n) AS to_cols,
      c.confdeltype::text AS on_delete
    FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class ref ON ref.oid = c.confrelid
    WHERE c.contype = 'f'`;
  const RULE: Record<string, string> = { c: "Cascade", n: "SetNull", r: "Restrict", a: "NoAction", d: "SetDefault" };
  const actual = rows.map((r) => `${r.from_table}(${r.from_cols}) -> ${r.to_table}(${r.to_cols}) ${RULE[r.on_delete]}`).sort();
  const expected: string[] = [];
  for (const m of dmmf.models) {
    for (const f of m.fields) {
      if (f.kind !== "object" || !f.relationFromFields?.length) continue;
      const target = modelByName.get(f.type)!;
      const required = f.relationFromFields.every((n) => m.fields.find((x) => x.name === n)!.isRequired);
      const onDelete = f.relationOnDelete ?? (required ? "Restrict" : "SetNull");
      expected.push(
        `${tableOf(m)}(${f.relationFromFields.map((n) => colOf(m, n))}) -> ${tableOf(target)}(${f.relationToFields!.map((n) => colOf(target, n))}) ${onDelete}`,
      );
    }
  }
  assert.deepEqual(actual, expected.sort());
});

test("migrate is recorded like prisma migrate deploy and is idempotent", async () => {
  const rows = await t.db.$queryRaw<{ migration_name: string; checksum: string; finished_at: Date | null }[]>`
    SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`;
  assert.ok(rows.length >= 1);
  for (const r of rows) {
    assert.match(r.checksum, /^[0-9a-f]{64}$/);
    assert.ok(r.finished_at);
  }
  assert.deepEqual(await migrate(t.url), []);
});
