import { json, route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json(await requireCaller(req)));
