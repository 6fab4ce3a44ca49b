"use client";

import { findKey } from "./jsonText";
import { PROBLEM_ID } from "./JsonPanel";
import type { NewRunFormState, Problem } from "./useNewRunForm";

/** Why the run was not started: a JSON syntax error, the fields the schema or the API refused, or another failure. */
export function ProblemBox({ problem, form }: { problem: Problem; form: NewRunFormState }) {
  return (
    <div className="alert alert-error" role="alert" id={PROBLEM_ID} data-testid="request-error">
      {problem.kind === "json" ? (
        <>
          <div className="alert-title">This is not valid JSON, so nothing was sent</div>
          <p>
            {problem.problem.line ? (
              <button type="button" className="link-button" onClick={() => form.focusLine(problem.problem.line!, problem.problem.column)}>
                Line {problem.problem.line}
                {problem.problem.column ? `, column ${problem.problem.column}` : ""}
              </button>
            ) : null}
            {problem.problem.line ? ": " : ""}
            {problem.problem.message}
          </p>
        </>
      ) : problem.kind === "api" ? (
        <>
          <div className="alert-title">
            {problem.status === 400 ? "The run was not started: fix these fields and submit again" : "The run was not started"}
          </div>
          <p>{problem.body.error}</p>
          {problem.body.issues && problem.body.issues.length > 0 ? (
            <ul className="issue-list" data-testid="request-issues">
              {problem.body.issues.map((issue, i) => {
                const at = findKey(form.text, issue.path);
                return (
                  <li key={`${issue.path}-${i}`} data-testid="request-issue" data-path={issue.path}>
                    {at ? (
                      <button type="button" className="link-button" onClick={() => form.focusAt(at.start, at.end)} title={`Go to line ${at.line}`}>
                        <code>{issue.path || "(request)"}</code>
                      </button>
                    ) : (
                      <code>{issue.path || "(request)"}</code>
                    )}
                    : {issue.message}
                    {at ? <span className="muted small"> (line {at.line})</span> : null}
                  </li>
                );
              })}
            </ul>
          ) : null}
          {problem.status === 401 ? <p>Your session expired: sign in again, then resubmit.</p> : null}
        </>
      ) : (
        <>
          <div className="alert-title">The run was not started</div>
          <p>{problem.message}</p>
        </>
      )}
    </div>
  );
}
