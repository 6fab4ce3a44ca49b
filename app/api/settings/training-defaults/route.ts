import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { requireCaller } from "@/lib/session";
import { getTrainingDefaults, parseTrainingDefaults, setTrainingDefaults } from "@/lib/settings-training";

export const dynamic = "force-dynamic";

/** The default TrainingArguments the new-run form starts from. */
export const GET = route(async (req) => {
  await requireCaller(req);
  return json(await getTrainingDefaults(db()));
});

/** Replaces them: a JSON object of TrainingArguments names, typed as in a run request. */
export const PUT = route(async (req) => {
  await requireCaller(req, "admin");
  const parsed = parseTrainingDefaults(await readJson(req));
  if (!parsed.ok) throw badRequest(parsed.issues);
  return json(await setTrainingDefaults(db(), parsed.defaults));
});
