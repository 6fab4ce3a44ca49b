// The main navigation for a role (a plain module, so the server layout can call it).

export interface NavItem {
  href: string;
  label: string;
}

/** Admins also get New run and Settings. */
export function navItems(role: "admin" | "viewer"): NavItem[] {
  const admin = role === "admin";
  return [
    { href: "/", label: "Overview" },
    { href: "/runs", label: "Runs" },
    ...(admin ? [{ href: "/runs/new", label: "New run" }] : []),
    { href: "/sweeps", label: "Sweeps" },
    { href: "/models", label: "Models" },
    { href: "/data", label: "Data" },
    { href: "/predict", label: "Predict" },
    ...(admin ? [{ href: "/settings", label: "Settings" }] : []),
  ];
}

export function isCurrent(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  // "/runs" covers a run's page but not "New run", which has its own link.
  if (href === "/runs") return pathname === "/runs" || (pathname.startsWith("/runs/") && pathname !== "/runs/new");
  return pathname === href || pathname.startsWith(`${href}/`);
}
