import { Fragment } from "react";

/**
 * `text` cut at every case-insensitive occurrence of `q`: the pieces in order, each saying whether
 * it is a match. Plain strings only: React escapes them, so a text holding markup stays text.
 */
export function matchSegments(text: string, q: string): { text: string; match: boolean }[] {
  const needle = q.toLowerCase();
  if (!needle) return [{ text, match: false }];
  const hay = text.toLowerCase();
  // Lower-casing can change a string's length (e.g. "İ"): then the positions would not line up, and
  // the text is shown whole rather than cut at the wrong places.
  if (hay.length !== text.length) return [{ text, match: false }];
  const out: { text: string; match: boolean }[] = [];
  let at = 0;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, at)) {
    if (i > at) out.push({ text: text.slice(at, i), match: false });
    out.push({ text: text.slice(i, i + needle.length), match: true });
    at = i + needle.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), match: false });
  return out;
}

/** The text with the search's matches marked (<mark>). */
export function Highlight({ text, q }: { text: string; q: string }) {
  return (
    <>
      {matchSegments(text, q).map((s, i) =>
        s.match ? (
          <mark key={i} className="match">
            {s.text}
          </mark>
        ) : (
          <Fragment key={i}>{s.text}</Fragment>
        ),
      )}
    </>
  );
}
