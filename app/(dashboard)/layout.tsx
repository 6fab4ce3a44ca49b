import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { NavLinks } from "@/components/NavLinks";
import { navItems, type NavItem } from "@/components/navItems";
import { SignOutButton } from "@/components/SignOutButton";
import { getCurrentUser } from "@/lib/session";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect("/login");

  const items: NavItem[] = navItems(user.role);

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link href="/" className="brand">
            Fine-tuning
          </Link>
          <NavLinks items={items} />
          <div className="user-box">
            <span data-testid="user-email">{user.email}</span>
            <span className="badge badge-role" data-testid="user-role">
              {user.role}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="main">
        {children}
      </main>
    </>
  );
}
