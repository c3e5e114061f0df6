/**
 * Loads something from the core and loads it again whenever one of the named collections changes (the
 * core's `dataChanged` event). Shared by the checklists, incidents and handover views.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Collection } from '@shared/domain';
import { vigil } from '@renderer/api';

export function useLive<T>(collections: readonly Collection[], load: () => Promise<T>, key: string): {
  data: T | undefined;
  error: string | null;
  reload: () => void;
} {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  // The latest loader is kept in a ref so a new closure on every render does not refetch in a loop.
  const loader = useRef(load);
  loader.current = load;
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    loader.current().then(
      (v) => {
        if (mine !== seq.current) return;
        setData(v);
        setError(null);
      },
      (e: Error) => mine === seq.current && setError(e.message),
    );
  }, []);
  const watched = collections.join(',');
  useEffect(() => {
    reload();
    const off = vigil().on('dataChanged', (c) => watched.split(',').includes(c.collection) && reload());
    return off;
  }, [reload, watched, key]);
  return { data, error, reload };
}

/** Runs an action and reports its error as text; resolves to whether it succeeded. */
export async function attempt(fn: () => Promise<unknown>, onError: (msg: string | null) => void): Promise<boolean> {
  try {
    await fn();
    onError(null);
    return true;
  } catch (e) {
    onError((e as Error).message);
    return false;
  }
}
