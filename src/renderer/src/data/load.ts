/**
 * The renderer's data layer for everything that is not the alert grid (which keeps its own delta-merging
 * store for 100k rows): load something from the core, show it, load it again when the core says one of
 * the collections it reads changed (`dataChanged`). A newer load always wins over an older one still on
 * its way, and a load that finishes after the component went away is dropped.
 *
 * Why not TanStack Query: every call here is a local IPC or loopback round trip (sub-millisecond), the
 * core pushes what changed instead of the client polling, and nothing is shared between components that
 * a zustand store does not already hold. What Query would add — a cache keyed by query, retries, refetch
 * on focus, stale times — are answers to network fetching this layer does not do.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Collection } from '@shared/domain';
import { vigil } from '@renderer/api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  /** true until the first answer (or error) */
  loading: boolean;
  reload: () => void;
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Loads with `load` and again whenever `key` changes or `reload()` is called. `collections`: reload also
 * when the core reports one of them changed.
 */
export function useLive<T>(collections: readonly Collection[], load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; loading: boolean }>({ data: undefined, error: null, loading: true });
  // The latest loader is kept in a ref so a new closure on every render does not refetch in a loop.
  const loader = useRef(load);
  loader.current = load;
  const seq = useRef(0);
  const alive = useRef(true);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    loader.current().then(
      (data) => alive.current && mine === seq.current && setState({ data, error: null, loading: false }),
      (e: unknown) => alive.current && mine === seq.current && setState((s) => ({ ...s, error: errorText(e), loading: false })),
    );
  }, []);
  const watched = collections.join(',');
  useEffect(() => {
    alive.current = true;
    reload();
    const names = watched.split(',');
    const off = watched ? vigil().on('dataChanged', (c) => names.includes(c.collection) && reload()) : () => undefined;
    return () => {
      alive.current = false;
      off();
    };
  }, [reload, watched, key]);
  return { ...state, reload };
}

/** Loads once per `key` (no collection to watch): an alert's history, the runbook for an alert. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  return useLive([], load, key);
}
