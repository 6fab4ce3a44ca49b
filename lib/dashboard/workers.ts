import type { PrismaClient } from "../db/generated/client";
import { WORKER_ALIVE_MS, type WorkersResponse } from "./types";

/** Workers seen in the last day (alive ones first), each with the run it is training now. */
export async function listWorkers(db: PrismaClient, now = new Date()): Promise<WorkersResponse> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const [workers, running] = await Promise.all([
    db.worker.findMany({ where: { heartbeatAt: { gte: since } }, orderBy: { heartbeatAt: "desc" }, take: 50 }),
    db.trainingRun.findMany({ where: { status: "running", workerId: { not: null } }, select: { id: true, workerId: true } }),
  ]);
  const views = workers.map((w) => ({
    id: w.id,
    hostname: w.hostname,
    pid: w.pid,
    device: w.device,
    startedAt: w.startedAt.toISOString(),
    heartbeatAt: w.heartbeatAt.toISOString(),
    alive: now.getTime() - w.heartbeatAt.getTime() <= WORKER_ALIVE_MS,
    runId: running.find((r) => r.workerId === w.id)?.id ?? null,
  }));
  views.sort((a, b) => Number(b.alive) - Number(a.alive));
  return { aliveWithinMs: WORKER_ALIVE_MS, workers: views };
}
