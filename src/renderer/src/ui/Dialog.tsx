/**
 * Dialogs on Radix UI's Dialog: focus moves in on open and back on close, Tab stays inside, Escape and a
 * click outside close it. Keys typed inside never reach the console's single-letter shortcuts.
 * `confirm()` asks a yes/no question in one (instead of window.confirm, which is unstyled, English in the
 * desktop shell, and blocks the renderer while it is open).
 */
import type { ReactNode } from 'react';
import * as D from '@radix-ui/react-dialog';
import { create } from 'zustand';

export function Dialog({
  title,
  description,
  onClose,
  children,
  className,
  role,
}: {
  title: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  role?: 'dialog' | 'alertdialog';
}) {
  return (
    <D.Root open onOpenChange={(open) => !open && onClose()}>
      <D.Portal>
        <D.Overlay className="dialog-overlay" />
        <D.Content
          className={`dialog ${className ?? ''}`}
          role={role ?? 'dialog'}
          // no description: say so, rather than leave aria-describedby pointing nowhere
          {...(description ? {} : { 'aria-describedby': undefined })}
          onKeyDown={(e) => e.stopPropagation()}
        >
          <D.Title className="dialog-title">{title}</D.Title>
          {description && <D.Description className="dialog-description">{description}</D.Description>}
          {children}
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}

/** The row of buttons at the foot of a dialog: secondary first, the primary action last (rightmost). */
export function DialogButtons({ children }: { children: ReactNode }) {
  return <div className="dialog-buttons">{children}</div>;
}

interface Ask {
  title: string;
  body?: string;
  confirm: string;
  cancel: string;
  danger?: boolean;
  resolve: (yes: boolean) => void;
}

const useAsk = create<{ ask: Ask | null }>(() => ({ ask: null }));

/** Asks a question in a dialog; resolves true when confirmed. */
export function confirm(q: Omit<Ask, 'resolve'>): Promise<boolean> {
  return new Promise((resolve) => {
    useAsk.getState().ask?.resolve(false);
    useAsk.setState({ ask: { ...q, resolve } });
  });
}

/** Mounted once in the app frame: shows the question confirm() asked. */
export function ConfirmHost() {
  const ask = useAsk((s) => s.ask);
  if (!ask) return null;
  const answer = (yes: boolean) => {
    useAsk.setState({ ask: null });
    ask.resolve(yes);
  };
  return (
    <Dialog title={ask.title} description={ask.body} onClose={() => answer(false)} role="alertdialog" className="dialog-small">
      <DialogButtons>
        <button type="button" autoFocus onClick={() => answer(false)}>
          {ask.cancel}
        </button>
        <button type="button" className={ask.danger ? 'danger' : 'primary'} onClick={() => answer(true)}>
          {ask.confirm}
        </button>
      </DialogButtons>
    </Dialog>
  );
}
