// @vitest-environment jsdom
/**
 * Loading a large cache page by page (features/alerts/store.ts): the first page is drawn at once, every
 * page's alerts are counted as it arrives, the rows are regrouped on a doubling pause while pages arrive
 * (each regroup costs as much as the rows so far: a fixed pause made their sum several times the last
 * one) and once more after the last page, which shows every alert in the console's order.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { VigilApi } from '@shared/api';
import type { Alert } from '@shared/alerts';
import type { AlertPage, AlertPageCursor } from '@shared/contract/alerts';
import { connect } from '@renderer/api';
import { initI18n } from '@renderer/i18n';
import { startAlerts, useAlerts } from '@renderer/features/alerts/store';
import { firingAlert } from '@test/helpers/alerts';

const PAGES = 20;
const PER_PAGE = 50;
/** the renderer's clock moves this much while each page is read and sent */
const PAGE_MS = 100;
const all: Alert[] = Array.from({ length: 10 + PAGES * PER_PAGE }, (_, i) =>
  firingAlert({ fingerprint: `fp${String(i).padStart(5, '0')}`, alertname: `A${i % 7}`, severity: 'P1', startsAt: 1_000_000 - i, updatedAt: 1_000_000 - i }),
);
let now = 0;
const served: number[] = [];

function page(cursor: AlertPageCursor | null, limit: number): AlertPage {
  const from = cursor ? all.findIndex((a) => a.fingerprint === cursor.fingerprint) + 1 : 0;
  const alerts = all.slice(from, from + limit);
  const last = alerts.at(-1)!;
  now += PAGE_MS;
  served.push(alerts.length);
  return { alerts, total: all.length, next: from + limit < all.length ? { severity: last.severity, startsAt: last.startsAt, fingerprint: last.fingerprint } : null };
}

const fakeApi = new Proxy(
  {},
  {
    get: (_, name: string) => {
      if (name === 'then') return undefined; // not a promise
      if (name === 'on') return () => () => undefined;
      if (name === 'alertsPage') return async (cursor: AlertPageCursor | null, limit: number) => page(cursor, Math.min(limit, cursor ? PER_PAGE : 10));
      if (name === 'alertCounts' || name === 'notifyState') return async () => null;
      return async () => [];
    },
  },
) as VigilApi;

beforeAll(async () => {
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  window.vigil = fakeApi;
  await connect(() => undefined);
  initI18n('en');
});
afterAll(() => {
  vi.restoreAllMocks();
  delete window.vigil;
});

it('draws the first page at once, counts every page, regroups on a doubling pause and after the last page', async () => {
  const regroupedAt: { at: number; rows: number }[] = [];
  const loaded: number[] = [];
  useAlerts.subscribe((s, prev) => {
    if (s.rows !== prev.rows) regroupedAt.push({ at: now, rows: s.rows.shown });
    if (s.loading && s.loading !== prev.loading) loaded.push(s.loading.loaded);
  });
  startAlerts();
  await vi.waitFor(() => expect(useAlerts.getState().loading).toBeNull());
  expect(served).toHaveLength(PAGES + 1);
  // the count followed every page
  expect(loaded.filter((x) => x > 0)).toEqual(Array.from({ length: PAGES }, (_, i) => 10 + i * PER_PAGE));
  // the first page at once (the next one is asked for before a page is merged: the clock reads 200 by
  // then), then after pauses of 250, 500 and 1000 ms, then after the last page (a fixed 250 ms pause
  // regrouped 8 times here: 200, 500, 800 … 2000, 2100)
  expect(regroupedAt.map((r) => r.at)).toEqual([200, 500, 1000, 2000, 2100]);
  expect(regroupedAt[0].rows).toBe(10);
  const s = useAlerts.getState();
  expect(s.shown).toBe(all.length);
  expect(s.sorted.map((e) => e.a.fingerprint)).toEqual(all.map((a) => a.fingerprint));
  // the search text is not built with the entries; idle slices build it after the load
  await vi.waitFor(() => expect(useAlerts.getState().sorted.every((e) => e.hay !== undefined)).toBe(true));
});
