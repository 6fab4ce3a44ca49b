import { json, route } from "@/lib/http";
import { listBaseModels } from "@/lib/kinds/base-models";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** The base models under MODELS_DIR (the starter, and transformer encoders in the transformers.js layout). */
export const GET = route(async (req) => {
  await requireCaller(req);
  return json(await listBaseModels());
});
