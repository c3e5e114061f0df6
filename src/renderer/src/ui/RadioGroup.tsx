/**
 * A radio group on Radix UI's RadioGroup: one tab stop, arrows move and choose, each radio's box beside
 * its label on the label's row (issue #18: the boxes sat in the middle of the form, away from their labels).
 */
import { useId, type ReactNode } from 'react';
import * as RG from '@radix-ui/react-radio-group';
import type { Option } from './Select';

export function RadioGroup<T extends string>({
  label,
  value,
  onChange,
  options,
  hint,
  disabled,
  className,
  children,
}: {
  label: ReactNode;
  value: T | null;
  onChange: (v: T) => void;
  options: readonly Option<T>[];
  hint?: ReactNode;
  disabled?: boolean;
  className?: string;
  /** drawn after the radios on the same row (e.g. a custom value's input) */
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <div className={`field radio-field ${className ?? ''}`}>
      <span id={`${id}-label`} className="field-label">
        {label}
      </span>
      <RG.Root
        className="radio-group"
        aria-labelledby={`${id}-label`}
        aria-describedby={hint ? `${id}-hint` : undefined}
        value={value ?? ''}
        onValueChange={(v) => onChange(v as T)}
        orientation="horizontal"
        disabled={disabled}
      >
        {options.map((o) => (
          <div key={o.value} className="radio-option">
            <RG.Item id={`${id}-${o.value}`} value={o.value} className="radio">
              <RG.Indicator className="radio-dot" />
            </RG.Item>
            <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
          </div>
        ))}
        {children}
      </RG.Root>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
