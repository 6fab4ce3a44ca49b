"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "./api";

export interface Me {
  id: string;
  email: string;
  role: "admin" | "viewer";
}

/** The signed-in user from GET /api/me (cached for the session of the page). */
export function useMe() {
  return useQuery({
    queryKey: ["me"],
    queryFn: ({ signal }) => apiFetch<Me>("/api/me", { signal }),
    staleTime: 5 * 60_000,
  });
}

export function useIsAdmin(): boolean {
  const { data } = useMe();
  return data?.role === "admin";
}
