export type Role = "admin" | "viewer";

export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  /** how the caller proved who it is: an API token (Authorization: Bearer) or the session cookie */
  via?: "token" | "session";
}
