"use client";

import type { Registry } from "./useRegistry";

/** A version's aliases as tags; admins remove one with its ×. */
export function VersionAliases({ aliases, isAdmin, registry, versionLabel }: { aliases: string[]; isAdmin: boolean; registry: Registry; versionLabel: string }) {
  if (aliases.length === 0) return <span className="muted small">—</span>;
  return (
    <span className="row row-tight" style={{ flexWrap: "wrap" }}>
      {aliases.map((a) => (
        <span key={a} className="badge badge-role" data-testid="version-alias" data-alias={a}>
          {a}
          {isAdmin ? (
            <button
              type="button"
              className="link-button"
              style={{ marginLeft: "0.3rem", textDecoration: "none" }}
              disabled={registry.removeAlias.isPending}
              onClick={() => registry.removeAlias.mutate(a)}
              aria-label={`Remove the alias ${a} from ${versionLabel}`}
            >
              ×
            </button>
          ) : null}
        </span>
      ))}
    </span>
  );
}
