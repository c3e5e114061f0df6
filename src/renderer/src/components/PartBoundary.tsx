/**
 * An error boundary around one part of the console (a view, a pane). A part that throws while rendering
 * shows "this part could not be shown" with a way to go on (try again, or close the pane), the failure is
 * logged by the core (`partFailed`), and every other part keeps working: one bad alert annotation never
 * blanks the console at 3 a.m.
 */
import { Component, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { vigil } from '@renderer/api';
import { Banner } from '@renderer/ui';

interface Props {
  /** what failed, for the log and the message ("alerts view", "alert detail") */
  part: string;
  /** when this changes (another alert, another view), the part is tried again */
  resetKey?: unknown;
  /** a second way on besides "try again" (e.g. closing the pane) */
  onClose?: () => void;
  children: ReactNode;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

export class PartBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return Object.is(props.resetKey, state.resetKey) ? null : { error: null, resetKey: props.resetKey };
  }

  override componentDidCatch(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    console.error(`Vigil: the ${this.props.part} could not be shown`, e);
    try {
      void vigil()
        .partFailed({ part: this.props.part.slice(0, 100), message: e.message.slice(0, 2000), stack: e.stack?.slice(0, 8000) })
        .catch(() => undefined);
    } catch {
      // no API yet (tests, the connect screen): the console message above is the record
    }
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return <PartFailed part={this.props.part} error={this.state.error} retry={() => this.setState({ error: null })} onClose={this.props.onClose} />;
  }
}

function PartFailed({ part, error, retry, onClose }: { part: string; error: Error; retry: () => void; onClose?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="part-failed">
      <Banner
        tone="danger"
        actions={
          <>
            <button type="button" onClick={retry}>
              {t('errors.partRetry')}
            </button>
            {onClose && (
              <button type="button" onClick={onClose}>
                {t('errors.partClose')}
              </button>
            )}
          </>
        }
      >
        <strong>{t('errors.partFailed')}</strong> <span className="muted">{t('errors.partFailedHint')}</span>
        <details>
          <summary>{t('errors.partDetails')}</summary>
          <pre>
            {part}: {error.message.slice(0, 2000)}
          </pre>
        </details>
      </Banner>
    </div>
  );
}
