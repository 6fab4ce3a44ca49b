import NextAuth from "next-auth";
import { signInRefusal } from "@/lib/auth/sign-in-refusal";
import { authOptions } from "@/lib/auth/options";

const handler = NextAuth(authOptions);

type Ctx = { params: Promise<{ nextauth: string[] }> };

/** Sign-in for a locked account or address gets 429 before next-auth checks anything. */
export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  return (await signInRefusal(req)) ?? handler(req, ctx);
}

export { handler as GET };
