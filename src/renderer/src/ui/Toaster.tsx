/**
 * Toasts on Radix UI's Toast: announced to screen readers, paused while hovered or while the window is in
 * the background, F8 jumps to them. Errors stay until dismissed; the rest go after six seconds. What to
 * show lives in the app store (`useApp().toast(…)`), so code outside React can raise one.
 */
import * as T from '@radix-ui/react-toast';
import { useTranslation } from 'react-i18next';
import { useApp } from '@renderer/stores/app';

const DURATION_MS = 6000;

export function Toaster() {
  const { t } = useTranslation();
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismiss);
  return (
    <T.Provider swipeDirection="right" duration={DURATION_MS} label={t('toast.announce')}>
      {toasts.map((x) => (
        <T.Root
          key={x.id}
          className={`toast toast-${x.level}`}
          type={x.level === 'error' ? 'foreground' : 'background'}
          duration={x.level === 'error' ? Infinity : DURATION_MS}
          onOpenChange={(open) => !open && dismiss(x.id)}
        >
          <div className="toast-text">
            <T.Title className="toast-title">{x.title}</T.Title>
            {x.body && (
              <T.Description className="toast-body" translate={x.data ? 'no' : undefined}>
                {x.body}
              </T.Description>
            )}
          </div>
          <T.Close className="toast-close" aria-label={t('toast.dismiss')}>
            ×
          </T.Close>
        </T.Root>
      ))}
      <T.Viewport className="toasts" label={t('toast.region')} />
    </T.Provider>
  );
}
