import type { InputHTMLAttributes, ReactNode } from "react";

type TextFieldProps = {
  id: string;
  label: ReactNode;
  /** Shown under the input, in place of the hint, and marks the input invalid. */
  error?: string | null;
  hint?: ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "id">;

/** A labelled input of a form grid with a note under it: the error when there is one, else the hint. */
export function TextField({ id, label, error, hint, ...input }: TextFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} aria-invalid={error ? true : undefined} aria-describedby={`${id}-note`} />
      {error || hint ? (
        <p className={error ? "field-error" : "hint"} id={`${id}-note`}>
          {error || hint}
        </p>
      ) : null}
    </div>
  );
}
