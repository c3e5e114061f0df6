import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Collection } from '@shared/domain';
import { vigil } from '../api';

/**
 * A view that loads one cached collection and reloads it when the core says it changed. Feature views
 * use it until they grow their own stores.
 */
export function useCollection<T>(collection: Collection, load: () => Promise<T[]>): { items: T[] | null; error: string | null } {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    const refresh = () =>
      load().then(
        (v) => alive && (setItems(v), setError(null)),
        (e: Error) => alive && setError(e.message),
      );
    void refresh();
    const off = vigil().on('dataChanged', (c) => c.collection === collection && void refresh());
    return () => {
      alive = false;
      off();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [collection]);
  return { items, error };
}

export function ViewFrame({ ns, children, actions }: { ns: string; children: ReactNode; actions?: ReactNode }) {
  const { t } = useTranslation(ns);
  return (
    <section className="view" aria-labelledby={`${ns}-title`}>
      <header className="view-header">
        <h1 id={`${ns}-title`}>{t('title')}</h1>
        {actions}
      </header>
      {children}
    </section>
  );
}
