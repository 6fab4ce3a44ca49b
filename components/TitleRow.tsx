import type { ReactNode } from "react";

/** A card's title row: the heading (no margin, so it lines up) and what stands beside it. */
export function TitleRow({ id, title, children }: { id: string; title: ReactNode; children?: ReactNode }) {
  return (
    <div className="row">
      <h2 id={id} style={{ margin: 0 }}>
        {title}
      </h2>
      {children}
    </div>
  );
}
