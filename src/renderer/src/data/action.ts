/**
 * Running an action from a form or button: its error as text next to the control, and whether it is
 * under way (to disable the button). One hook instead of an error state, a busy state and a try/catch in
 * every form.
 */
import { useCallback, useRef, useState } from 'react';
import { errorText } from './load';

/** Runs `fn` and reports its error as text (null on success); resolves to whether it succeeded. */
export async function attempt(fn: () => Promise<unknown>, onError: (msg: string | null) => void): Promise<boolean> {
  try {
    await fn();
    onError(null);
    return true;
  } catch (e) {
    onError(errorText(e));
    return false;
  }
}

export interface Action {
  /** runs `fn`; false (and `error` set) when it threw */
  run(fn: () => Promise<unknown>): Promise<boolean>;
  error: string | null;
  busy: boolean;
  setError(msg: string | null): void;
}

export function useAction(): Action {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const running = useRef(0);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    running.current++;
    setBusy(true);
    try {
      return await attempt(fn, setError);
    } finally {
      if (--running.current === 0) setBusy(false);
    }
  }, []);
  return { run, error, busy, setError };
}
