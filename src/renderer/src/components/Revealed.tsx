/**
 * Text from the platform with its hidden characters shown: a zero-width space, a right-to-left override or
 * a control character is drawn as a marked code point (U+200B), so `Disk\u200bFull` cannot pass for
 * `DiskFull` (src/shared/spoofing.ts). Text without such characters is drawn as it is.
 */
import { Fragment } from 'react';
import { hasHiddenChars, revealSegments } from '@shared/spoofing';

export function Revealed({ text }: { text: string }) {
  if (!hasHiddenChars(text)) return <>{text}</>;
  return (
    <>
      {revealSegments(text).map((s, i) =>
        s.codePoint ? (
          <mark key={i} className="hidden-char" title={s.name ? `${s.codePoint} ${s.name}` : s.codePoint}>
            {s.codePoint}
          </mark>
        ) : (
          <Fragment key={i}>{s.text}</Fragment>
        ),
      )}
    </>
  );
}
