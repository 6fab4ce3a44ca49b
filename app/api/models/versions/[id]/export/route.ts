import { db } from "@/lib/db/client";
import { route } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { exportArchiveResponse } from "@/lib/versions/export";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
type Ctx = { params: Promise<{ id: string }> };

// A model version as a standalone folder (one ONNX graph → logits, tokenizer, config.json with
// id2label), streamed as <model>-<versionId>.tar.gz. Viewers and admins may download it.
export const GET = route(async (req, ctx: Ctx) => {
  await requireCaller(req);
  const id = (await ctx.params).id;
  return exportArchiveResponse(db(), id);
});
