import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog: focus moves in on open and back on close, Tab stays inside, Escape closes. Keys typed
 * inside never reach the console's single-letter shortcuts.
 */
export function Modal({ title, onClose, children, className }: { title: string; onClose: () => void; children: ReactNode; className?: string }) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('[autofocus], input, textarea, select, button');
    first?.focus();
    return () => before?.focus();
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        className={`modal ${className ?? ''}`}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') return onClose();
          if (e.key !== 'Tab') return;
          const f = [...box.current!.querySelectorAll<HTMLElement>('input, textarea, select, button, [tabindex="0"]')].filter((x) => !x.hasAttribute('disabled'));
          if (!f.length) return;
          const wrapTo = e.shiftKey ? (document.activeElement === f[0] ? f[f.length - 1] : null) : document.activeElement === f[f.length - 1] ? f[0] : null;
          if (!wrapTo) return;
          e.preventDefault();
          wrapTo.focus();
        }}
      >
        <h2 id={id}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
