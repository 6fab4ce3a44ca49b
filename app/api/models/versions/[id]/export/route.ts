import { db } from "@/lib/db/client";
import { HttpError, route } from "@/lib/http";
import { exportArchiveResponse, UnknownVersionError } from "@/lib/versions/export";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
type Ctx = { params: Promise<{ id: string }> };

// A model version as a standalone folder (one ONNX graph → logits, tokenizer, config.json with
// id2label), streamed as <model>-<versionId>.tar.gz. Viewers and admins may download it.
export const GET = route(async (req, ctx: Ctx) => {
  await requireCaller(req);
  const id = (await ctx.params).id;
  try {
    return await exportArchiveResponse(db(), id);
  } catch (err) {
    if (err instanceof UnknownVersionError) throw new HttpError(404, err.message);
    throw err;
  }
});
