"use client";

import { useEffect, useRef, useState } from "react";

/**
 * Whether the element the returned ref is attached to is narrower than `maxWidth` px (a phone), kept
 * up to date as it resizes; false until it has been measured.
 */
export function useNarrow<T extends HTMLElement>(maxWidth: number) {
  const ref = useRef<T>(null);
  const [narrow, setNarrow] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const check = () => setNarrow(el.getBoundingClientRect().width < maxWidth);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    return () => observer.disconnect();
  }, [maxWidth]);
  return [ref, narrow] as const;
}
