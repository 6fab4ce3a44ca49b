// Which fields of a table or file probably hold the label and the text (pure: used by the API
// and by the browser forms to preselect).

export function guessColumns(columns: string[]): { label: string | null; text: string | null } {
  const find = (re: RegExp, not?: string | null) => columns.find((c) => re.test(c) && c !== not) ?? null;
  const label = find(/^label$/i) ?? find(/label|class|category|target|sentiment|rating|stars/i);
  const text = find(/^text$/i, label) ?? find(/text|body|content|message|review|comment|sentence/i, label);
  return { label, text };
}
