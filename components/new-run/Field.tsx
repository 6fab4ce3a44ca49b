import { cloneElement, isValidElement, type InputHTMLAttributes, type ReactElement, type ReactNode } from "react";
import type { NewRunFormState } from "./useNewRunForm";

/** A labelled control of the new-run form with its hint, or its issues in place of the hint. */
export function Field({ id, label, sub, hint, issues, children }: { id: string; label: string; sub?: string; hint?: string; issues: string[]; children: ReactNode }) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const child = children as ReactElement<Record<string, unknown>>;
  const described = [hint ? hintId : null, issues.length ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label} {sub ? <code className="muted small">{sub}</code> : null}
      </label>
      {isValidElement(child) ? cloneElement(child, { "aria-describedby": (child.props["aria-describedby"] as string | undefined) ?? described, ...(issues.length ? { "aria-invalid": true } : {}) }) : children}
      {issues.length ? (
        <p className="field-error" id={errorId} data-testid="field-error" data-field={id.replace(/^nr-/, "")}>
          {issues.join("; ")}
        </p>
      ) : hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A number box bound to one request field: keeps what is typed until it reads as a number. Other
 * props (the aria-describedby and aria-invalid that Field adds) go to the input.
 */
export function NumberInput({ form, name, integer, ...input }: { form: NewRunFormState; name: string; id: string; integer?: boolean; placeholder: string } & Omit<InputHTMLAttributes<HTMLInputElement>, "form" | "name" | "value" | "onChange" | "onBlur">) {
  return (
    <input
      type="text"
      inputMode={integer ? "numeric" : "decimal"}
      {...input}
      value={form.numberValue(name)}
      onChange={(e) => form.setNumber(name, e.target.value)}
      onBlur={() => form.touch(name)}
    />
  );
}
