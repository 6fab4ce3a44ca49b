import type { FieldIssue } from "@/lib/errors";

/** Field problems as the API names them: each field's path, then what is wrong with it. */
export function IssueList({ issues }: { issues: readonly FieldIssue[] }) {
  return (
    <ul className="issue-list">
      {issues.map((i, k) => (
        <li key={k}>
          <code>{i.path}</code>: {i.message}
        </li>
      ))}
    </ul>
  );
}
