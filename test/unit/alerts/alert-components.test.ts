// @vitest-environment jsdom
/**
 * The alert table's rows and the detail pane render any alert the platform may send — malformed mailto:/tel:
 * annotations, lone surrogates, control, bidi and zero-width characters, 1 MB labels and summaries — without
 * an exception (fast-check), as the core hands them over (cut: alert-view.ts). Hidden characters come out as
 * marked code points with the warning, a cut value with its "show all", and a part that throws is caught by
 * its PartBoundary ("could not be shown") instead of blanking the page.
 */
import fc from 'fast-check';
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { describe, expect, it, vi } from 'vitest';
import type { VigilApi } from '@shared/api';
import { cutAlert, VALUE_CUT_CHARS } from '@shared/alert-view';
import type { Alert } from '@shared/alerts';
import { PartBoundary } from '@renderer/components/PartBoundary';
import { AlertTable } from '@renderer/features/alerts/AlertTable';
import { DetailPane } from '@renderer/features/alerts/DetailPane';
import { toEntry, type AlertRow, type RowList } from '@renderer/features/alerts/model';
import { useAlerts } from '@renderer/features/alerts/store';
import { revealNames } from '@renderer/features/roster/store';
import { RosterDocumentSchema } from '@shared/roster';
import { firingAlert } from '@test/helpers/alerts';
import { mountRenderer } from '@test/helpers/react-root';

const MB = 1 << 20;
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '%', '%E0%A4%A', '\u200b', '\u202e', '\u2066', '\ufeff', '\u0000', '\u001b', '\ud800', '\udfff', '😀', '磁'), maxLength: 30 }),
  fc.constantFrom(
    'mailto:%E0%A4%A',
    'mailto:oncall@%',
    'mailto:\ud800@x.cn',
    'tel:+86%ZZ',
    'tel:\u202e110',
    'https://%zz',
    'https://exa mple.com/\u0000',
    'javascript:alert(1)',
    'http://[::1',
    'x'.repeat(MB),
  ),
);
const alertArb = fc.record({
  name: nasty,
  labels: fc.dictionary(nasty, nasty, { maxKeys: 5 }),
  annotations: fc.dictionary(fc.constantFrom('summary', 'description', 'runbook_url', 'contact', 'dashboard', 'x'), nasty, { maxKeys: 5 }),
  generatorUrl: fc.option(nasty, { nil: null }),
  state: fc.constantFrom('firing', 'resolved'),
  acked: fc.boolean(),
});

let n = 0;
interface Generated {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorUrl: string | null;
  state: string;
  acked: boolean;
}

/** the alert as the platform sends it */
function generated(p: Generated): Alert {
  return firingAlert({
      fingerprint: `fp-${++n}`,
      alertname: p.name,
      labels: { ...p.labels, alertname: p.name },
      annotations: p.annotations,
      generatorUrl: p.generatorUrl,
      state: p.state as Alert['state'],
      ackedBy: p.acked ? p.name : null,
      ackedAt: p.acked ? 1 : null,
  });
}

/** the alert as the core hands it to the views: cut (alertsPage, alertsChanged) */
const asCoreSends = (p: Generated): Alert => cutAlert(generated(p));

/** What the panes ask the core for, answered as an empty cache would; "show all" answers from `whole`. */
let whole = new Map<string, Alert>();
const fakeApi = {
  on: () => () => undefined,
  alertHistory: async () => [],
  runbookForAlert: async () => ({ kind: 'none', reason: 'none' }),
  gatewayPage: async () => null,
  dashboardsList: async () => [],
  dashboardSeries: async () => [],
  escalationsList: async () => [],
  partFailed: async () => ({ logged: true }),
  alertValue: async (fp: string, where: 'labels' | 'annotations', index: number) => {
    const e = Object.entries(whole.get(fp)?.[where] ?? {})[index];
    return e ? { name: e[0], value: e[1] } : null;
  },
} as unknown as VigilApi;

let root: Root;
let host: HTMLDivElement;

/** Renders the table and the detail pane as the console does (a client render, effects and all). */
async function show(list: Alert[], open: string): Promise<{ table: string; detail: string }> {
  const entries = list.map(toEntry);
  const rows = entries.map((e): AlertRow => ({ kind: 'alert', e, group: null }));
  const rowList: RowList = {
    length: rows.length,
    at: (i) => rows.at(i),
    indexOfAlert: (e) => entries.indexOf(e),
    indexOfGroup: () => -1,
    shown: rows.length,
    source: { matched: entries },
  };
  useAlerts.setState({ byFp: new Map(entries.map((e) => [e.a.fingerprint, e])), sorted: entries, rows: rowList, shown: rows.length, openFp: open });
  await act(async () => {
    root.render(
      createElement(
        'div',
        null,
        createElement('div', { id: 'table' }, createElement(AlertTable)),
        createElement('div', { id: 'detail' }, createElement(DetailPane, { fingerprint: open })),
      ),
    );
  });
  return { table: host.querySelector('#table')!.innerHTML, detail: host.querySelector('#detail')!.innerHTML };
}

mountRenderer(fakeApi, (r, h) => {
  root = r;
  host = h;
});

describe('the alert row and the detail pane render whatever the platform sends', () => {
  it('never throw on generated alerts (malformed URLs, lone surrogates, controls, bidi, 1 MB values)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(alertArb, { minLength: 1, maxLength: 4 }), async (ps) => {
        const list = ps.map(asCoreSends);
        const { table, detail } = await show(list, list[0].fingerprint);
        // every alert drawn as a row, the first one's detail open, no "could not be shown"
        expect(host.querySelectorAll('#table [role="row"][aria-rowindex]').length).toBe(list.length + 1);
        expect(host.querySelector('#detail aside.alert-detail h2')).not.toBeNull();
        expect(table + detail).not.toContain('part-failed');
        // what reaches the views is bounded, whatever came in (any 1 MB value is cut)
        expect(detail.length).toBeLessThan(MB);
      }),
      { numRuns: 40 },
    );
  }, 180_000);

  it('shows hidden characters as marked code points, warns, and offers the whole of a cut value', async () => {
    const big = `S${'y'.repeat(MB)}`;
    const raw = generated({
      name: 'Disk\u200bFull',
      labels: { team: 'ops', blob: 'b'.repeat(MB) },
      annotations: { summary: big, contact: 'mailto:%E0%A4%A' },
      generatorUrl: 'tel:%ZZ',
      state: 'firing',
      acked: false,
    });
    const a = cutAlert(raw);
    whole = new Map([[a.fingerprint, raw]]);
    const { table, detail } = await show([a], a.fingerprint);
    for (const html of [table, detail]) {
      expect(html).toContain('<mark class="hidden-char" title="U+200B ZERO WIDTH SPACE">U+200B</mark>');
      expect(html).not.toContain('Disk\u200bFull');
    }
    expect(table).toContain('aria-label="Hidden characters in the name or labels"');
    expect(detail).toMatch(/role="alert"[^>]*>Careful: alertname holds hidden characters/);
    expect(detail).toContain(`(first ${VALUE_CUT_CHARS} of ${MB} characters)`);
    expect(detail).toContain('aria-label="Show all of blob"');
    expect(detail).toContain('aria-label="Show all of summary"');
    // a malformed mailto: is text, never an "Open" button
    expect(detail).toContain('mailto:%E0%A4%A');
    expect(detail).not.toContain('Open mailto:');
    // "show all" loads the whole 1 MB value into a read-only box
    const showAll = host.querySelector<HTMLButtonElement>('button[aria-label="Show all of summary"]')!;
    await act(async () => showAll.click());
    const box = host.querySelector<HTMLTextAreaElement>('textarea[aria-label="Whole value of summary"]');
    expect(box?.value).toBe(big);
    expect(box?.readOnly).toBe(true);
  });
});

describe('a part that throws', () => {
  function Broken(): never {
    throw new URIError('URI malformed');
  }
  it('shows "could not be shown" with a way on, and the rest of the page stays', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let closed = 0;
    await act(async () => {
      root.render(
        createElement(
          'div',
          null,
          createElement(PartBoundary, { part: 'alert detail', onClose: () => void closed++, children: createElement(Broken) }),
          createElement('p', null, 'the rest'),
        ),
      );
    });
    quiet.mockRestore();
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('This part could not be shown.');
    expect(host.textContent).toContain('the rest');
    expect(host.textContent).toContain('alert detail: URI malformed');
    const close = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Close this pane');
    await act(async () => close?.click());
    expect(closed).toBe(1);
    expect([...host.querySelectorAll('button')].map((b) => b.textContent)).toContain('Try again');
    await act(async () => root.unmount());
  });
});

describe('roster names', () => {
  it('show hidden characters as ⟦U+…⟧ in every roster view, honest names untouched', () => {
    const doc = RosterDocumentSchema.parse({
      people: [
        { id: 'p1', name: 'Li\u200bWei' },
        { id: 'p2', name: '王芳' },
      ],
      teams: [{ id: 't1', name: 'SRE\u202e' }],
    });
    const shown = revealNames(doc);
    expect(shown.people.map((p) => p.name)).toEqual(['Li⟦U+200B⟧Wei', '王芳']);
    expect(shown.teams[0].name).toBe('SRE⟦U+202E⟧');
    expect(shown.people[1]).toBe(doc.people[1]);
  });
});
