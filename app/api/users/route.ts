import { createUser, listUsers } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  const me = await requireCaller(req, "admin");
  return json({ users: await listUsers(db()), me: me.id });
});

/** {email, password (min 8), role} → 201 the user (no password hash). */
export const POST = route(async (req) => {
  await requireCaller(req, "admin");
  return json(await createUser(db(), await readJson(req)), 201);
});
