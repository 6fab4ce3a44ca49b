import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "../db/client";
import { emailSchema } from "../validations/email";
import { env } from "../env";
import { clientAddress } from "./client-address";
import { checkCredentials } from "./sign-in";
import { throttleKeys } from "./throttle";
import type { Role } from "./types";

// next-auth: e-mail + password checked against the User table; JWT sessions carrying the user's id
// and session version (lib/session.ts ends a session whose version is no longer the user's).
// Locked accounts and addresses are refused before this runs (app/api/auth/[...nextauth]/route.ts).

export const credentialsSchema = z.object({
  email: emailSchema,
  password: z.string().min(1).max(1000),
});

type RequestHeaders = Record<string, string | string[] | undefined> | undefined;

export function signInAddress(headers: RequestHeaders | Headers): string {
  const xff = headers instanceof Headers ? headers.get("x-forwarded-for") : headers?.["x-forwarded-for"];
  return clientAddress(Array.isArray(xff) ? xff.join(", ") : xff, env().TRUST_PROXY);
}

export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "E-mail and password",
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, req) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const keys = throttleKeys(parsed.data.email, signInAddress(req?.headers as RequestHeaders));
        const user = await checkCredentials(db(), parsed.data.email, parsed.data.password, keys);
        return user ? { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion } : null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = (user as { role?: Role }).role;
        token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
      }
      return token;
    },
    session({ session, token }) {
      if (session.user) {
        const u = session.user as { id?: string; role?: Role; sessionVersion?: number };
        u.id = token.uid as string;
        u.role = token.role as Role;
        u.sessionVersion = typeof token.sv === "number" ? token.sv : -1;
      }
      return session;
    },
  },
};
