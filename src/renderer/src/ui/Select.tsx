/**
 * A select on Radix UI's Select: a button with role combobox that opens a listbox, keyboard complete
 * (arrows, type-ahead, Home/End, Escape), styled by the tokens in both themes (a native <select>'s popup
 * ignores them). Inside a Field it takes the field's id, so the label names it.
 */
import * as S from '@radix-ui/react-select';

export interface Option<T extends string> {
  value: T;
  label: string;
}

// Radix reserves the empty string for "no value"; an option may still mean "none" with it.
const EMPTY = '\u0000empty';
const enc = (v: string) => (v === '' ? EMPTY : v);
const dec = (v: string) => (v === EMPTY ? '' : v);

export function Select<T extends string>({
  value,
  onChange,
  options,
  placeholder,
  disabled,
  className,
  ...aria
}: {
  value: T | null;
  onChange: (v: T) => void;
  options: readonly Option<T>[];
  placeholder?: string;
  disabled?: boolean;
  className?: string;
  id?: string;
  'aria-label'?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}) {
  return (
    <S.Root value={value === null ? undefined : enc(value)} onValueChange={(v) => onChange(dec(v) as T)} disabled={disabled}>
      <S.Trigger className={`select-trigger ${className ?? ''}`} {...aria}>
        <S.Value placeholder={placeholder} />
        <span className="select-icon caret" aria-hidden="true" />
      </S.Trigger>
      <S.Portal>
        <S.Content className="select-content" position="popper" sideOffset={4} collisionPadding={8}>
          <S.Viewport className="select-viewport">
            {options.map((o) => (
              <S.Item key={o.value} value={enc(o.value)} className="select-item">
                <S.ItemText>{o.label}</S.ItemText>
                <S.ItemIndicator className="select-check" aria-hidden="true">
                  ✓
                </S.ItemIndicator>
              </S.Item>
            ))}
          </S.Viewport>
        </S.Content>
      </S.Portal>
    </S.Root>
  );
}
