/**
 * Small labels: a status badge in one of the tones, the severity badge, and label chips coloured by the
 * label's name (as karma does) so `service=…` looks the same in every row and view. Dense: they sit in
 * 30 px table rows.
 */
import type { CSSProperties, ReactNode } from 'react';
import type { Severity } from '@shared/domain';
import { revealPlain } from '@shared/spoofing';
import { Revealed } from '@renderer/components/Revealed';
import { labelHue } from '@renderer/design/color';

export type Tone = 'neutral' | 'ok' | 'warn' | 'danger' | 'info' | 'accent';

export function Badge({ tone = 'neutral', children, title, className }: { tone?: Tone; children: ReactNode; title?: string; className?: string }) {
  return (
    <span className={`badge badge-${tone} ${className ?? ''}`} title={title}>
      {children}
    </span>
  );
}

export function SeverityBadge({ severity, className }: { severity: Severity; className?: string }) {
  return <span className={`sev-badge sev-badge-${severity} ${className ?? ''}`}>{severity}</span>;
}

const hueStyle = new Map<string, CSSProperties>();
/** the inline style giving a chip its label's hue (one object per label name, so rows re-render cheaply) */
export function chipStyle(name: string): CSSProperties {
  let s = hueStyle.get(name);
  if (!s) hueStyle.set(name, (s = { '--chip-h': labelHue(name) } as CSSProperties));
  return s;
}

export function LabelChip({ name, value, title }: { name: string; value: string; title?: string }) {
  return (
    <span className="label-chip" style={chipStyle(name)} title={title ?? revealPlain(`${name}=${value}`)}>
      <span className="label-chip-name">
        <Revealed text={name} />
      </span>
      <span className="label-chip-value">
        <Revealed text={value} />
      </span>
    </span>
  );
}

export function LabelChips({ labels, className }: { labels: readonly (readonly [string, string])[]; className?: string }) {
  return (
    <span className={`label-chips ${className ?? ''}`}>
      {labels.map(([k, v]) => (
        <LabelChip key={k} name={k} value={v} />
      ))}
    </span>
  );
}
