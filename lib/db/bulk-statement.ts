import { Debug as ClientDebug } from "@prisma/client/runtime/client";
import { Debug as AdapterDebug } from "@prisma/driver-adapter-utils";
import type { Prisma, PrismaClient } from "./generated/client";
import { collectGarbageIfGrown } from "../process/collect-garbage";

// Statements with big parameters (a run's test rows 20,000 at a time, a version's record of rows
// 8 MiB at a time), run through Prisma so that they can be part of a transaction, without Prisma
// keeping their parameters alive afterwards.
//
// Prisma keeps the arguments of its last 100 debug calls in memory for its error reports, whether or
// not DEBUG is set (@prisma/debug's history), twice over: the client's own copy of the module holds
// each query's plan with its parameters serialised, and the PostgreSQL adapter's (through
// @prisma/driver-adapter-utils) each query with its parameters. A 7,000,000-row run's save kept
// 0.4 GiB of such strings alive (found with a heap snapshot: base64 copies of the record's parts,
// the test rows' JSON). After each statement, 100 calls of a debug function in each copy (both
// export `Debug`) push them out; the statement's own garbage is then collected once it adds up
// (../process/collect-garbage.ts). tests/integration/bulk-statement.test.ts checks that a statement's
// parameters do not outlive it.

type Db = PrismaClient | Prisma.TransactionClient;

/** Prisma's ring buffer holds this many debug calls (@prisma/debug's MAX_ARGS_HISTORY). */
export const PRISMA_DEBUG_HISTORY = 100;

const histories = [ClientDebug("finetune:bulk-statement"), AdapterDebug("finetune:bulk-statement")];

/** Pushes the last statements' arguments out of Prisma's debug histories. */
export function forgetStatementArguments(): void {
  for (const debug of histories) {
    debug("a bulk statement ran: its parameters leave the debug history");
    for (let i = 1; i < PRISMA_DEBUG_HISTORY; i++) debug(".");
  }
}

function after<T>(value: T): T {
  forgetStatementArguments();
  collectGarbageIfGrown();
  return value;
}

/** $executeRawUnsafe for a statement with big parameters; its parameters are garbage once it returns. */
export async function bulkExecute(db: Db, sql: string, ...params: unknown[]): Promise<number> {
  return after(await db.$executeRawUnsafe(sql, ...params));
}

/** $queryRawUnsafe for a query with big parameters or results; its parameters are garbage once it returns. */
export async function bulkQuery<T>(db: Db, sql: string, ...params: unknown[]): Promise<T> {
  return after(await db.$queryRawUnsafe<T>(sql, ...params));
}
