/**
 * Form fields: the label above its control, the hint and the error below it, all on one left edge. The
 * control is the child; Field gives it an id, ties the label to it and describes it by the hint and error.
 * Checkboxes sit beside their label on the label's own row (CheckField).
 */
import { cloneElement, useId, type ChangeEvent, type ReactElement, type ReactNode } from 'react';

interface ControlProps {
  id?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean | 'true' | 'false';
}

export function Field({
  label,
  hint,
  error,
  children,
  className,
  grow,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  children: ReactElement<ControlProps>;
  className?: string;
  /** take the remaining width in a FieldRow */
  grow?: boolean;
}) {
  const auto = useId();
  const id = children.props.id ?? auto;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [children.props['aria-describedby'], hintId, errorId].filter(Boolean).join(' ') || undefined;
  const control = cloneElement(children, { id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': true } : {}) });
  return (
    <div className={`field${grow ? ' field-grow' : ''} ${className ?? ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {control}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} role="alert" className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** Fields side by side, wrapping when the width runs out; their controls line up on one baseline. */
export function FieldRow({ children, className }: { children: ReactNode; className?: string }) {
  return <div className={`field-row ${className ?? ''}`}>{children}</div>;
}

/** A checkbox with its label on the same row, box first. */
export function CheckField({
  label,
  checked,
  onChange,
  hint,
  disabled,
  title,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  disabled?: boolean;
  title?: string;
}) {
  const id = useId();
  return (
    <div className="check-field" title={title}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** An error line under a form or a panel (an action failed); nothing when there is none. */
export function InlineError({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="inline-error">
      {error}
    </p>
  );
}
