import { z } from "zod";
import { createApiToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { requireCaller } from "@/lib/session";
import { emailSchema } from "@/lib/validations/email";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

const body = z.object({
  name: z.string({ error: "must be a name" }).trim().min(1, { error: "must not be empty" }).max(100),
  /** whose token it is (defaults to the admin creating it) */
  userEmail: emailSchema.optional(),
});

export const GET = route(async (req) => {
  await requireCaller(req, "admin");
  const tokens = await db().apiToken.findMany({ orderBy: { createdAt: "desc" }, include: { user: { select: { email: true, role: true } } } });
  return json({
    tokens: tokens.map((t) => ({
      id: t.id, name: t.name, prefix: t.prefix, user: t.user.email, role: t.user.role,
      createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt,
    })),
  });
});

/** Creates an API token; the token itself is in this response only. */
export const POST = route(async (req) => {
  const admin = await requireCaller(req, "admin");
  const parsed = body.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  let userId = admin.id;
  if (parsed.data.userEmail) {
    const u = await db().user.findUnique({ where: { email: parsed.data.userEmail } });
    if (!u) throw badRequest([{ path: "userEmail", message: `no user has the e-mail ${parsed.data.userEmail}` }]);
    userId = u.id;
  }
  const created = await createApiToken(db(), userId, parsed.data.name);
  return json(created, 201);
});
