/**
 * Time-of-day and date fields that follow the page's language (time-format.ts), built on Field: the label
 * names the box, the hint says the format, the error says what to type. A plain text box: type the time
 * ("22:00", "10 pm"), or ArrowUp / ArrowDown to move it (15 min, Shift: 1 h; dates a day, Shift: a week).
 * Each typed value that reads as a time is passed on at once (Enter in the form saves what was typed).
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language } from '@shared/domain';
import { Field } from './Field';
import { dateFormatOf, formatDateText, formatTimeText, parseDateText, parseTimeText, stepDate, stepTime, timeFormatOf } from './time-format';

interface Codec {
  format(value: string): string;
  parse(text: string): string | null;
  step(value: string, dir: 1 | -1, big: boolean): string;
  hint: string;
  invalid: string;
}

interface FieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  /** an empty box is a valid answer ('' is passed on) */
  optional?: boolean;
  className?: string;
  disabled?: boolean;
}

function CodedField({ label, value, onChange, optional, className, disabled, codec }: FieldProps & { codec: Codec }) {
  const [text, setText] = useState(() => codec.format(value));
  const [error, setError] = useState<string | null>(null);
  const editing = useRef(false);
  // a value set from outside (a reload, the other language) is shown in this language's format
  useEffect(() => {
    if (!editing.current) setText(codec.format(value));
  }, [value, codec]);

  const accept = (t: string): string | null => (t.trim() === '' ? (optional ? '' : null) : codec.parse(t));
  const commit = () => {
    editing.current = false;
    const v = accept(text);
    if (v === null) return setError(codec.invalid);
    setError(null);
    if (v !== value) onChange(v);
    setText(codec.format(v));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    const next = codec.step(accept(text) || value, e.key === 'ArrowUp' ? 1 : -1, e.shiftKey);
    setError(null);
    onChange(next);
    setText(codec.format(next));
  };
  return (
    <Field label={label} hint={codec.hint} error={error} className={className}>
      <input
        type="text"
        autoComplete="off"
        spellCheck={false}
        size={12}
        disabled={disabled}
        value={text}
        onChange={(e) => {
          editing.current = true;
          setText(e.target.value);
          const v = accept(e.target.value);
          if (v !== null) {
            setError(null);
            if (v !== value) onChange(v);
          }
        }}
        onBlur={commit}
        onKeyDown={onKeyDown}
      />
    </Field>
  );
}

const pageLocale = () => (typeof navigator === 'undefined' ? 'en-US' : navigator.language);

/** A time of day as 'HH:mm' (quiet hours): 24-hour in zh-CN, the user's English locale's clock in en. */
export function TimeField(props: FieldProps) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language as Language;
  const codec = useMemo<Codec>(() => {
    const f = timeFormatOf(lng, pageLocale());
    return {
      format: (v) => formatTimeText(v, f),
      parse: parseTimeText,
      step: (v, dir, big) => stepTime(v, dir * (big ? 60 : 15)),
      hint: t(f.hour12 ? 'timeField.hint12' : 'timeField.hint24', { example: f.example }),
      invalid: t('timeField.invalid', { example: f.example }),
    };
  }, [lng, t]);
  return <CodedField {...props} codec={codec} />;
}

const isoToday = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** A date as 'YYYY-MM-DD': YYYY-MM-DD in zh-CN, the user's English locale's order in en. */
export function DateField(props: FieldProps) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language as Language;
  const codec = useMemo<Codec>(() => {
    const f = dateFormatOf(lng, pageLocale());
    return {
      format: (v) => formatDateText(v, f),
      parse: (text) => parseDateText(text, f),
      step: (v, dir, big) => stepDate(v, dir * (big ? 7 : 1), isoToday()),
      hint: t('timeField.dateHint', { example: f.example }),
      invalid: t('timeField.dateInvalid', { example: f.example }),
    };
  }, [lng, t]);
  return <CodedField {...props} codec={codec} />;
}
