// A classifier folder's label names, as config.json spells them (id2label / label2id).

/** id2label and label2id for labels in id order. */
export function labelMaps(labels: string[]): { id2label: Record<string, string>; label2id: Record<string, number> } {
  return {
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  };
}

/** Label names in id order, from a config's id2label. */
export function labelsFromConfig(config: { id2label?: Record<string, string> }): string[] {
  const entries = Object.entries(config.id2label ?? {}).map(([k, v]) => [Number(k), v] as const);
  entries.sort((a, b) => a[0] - b[0]);
  entries.forEach(([k], i) => {
    if (k !== i) throw new Error(`config.json id2label is not 0..${entries.length - 1}`);
  });
  return entries.map(([, v]) => v);
}
