import { describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import {
  ackComment,
  ackOperator,
  emptyView,
  reconcile,
  silenceOfAction,
  splitAuthor,
  taggedAuthor,
  toSilence,
  viewFromKnown,
  type View,
} from '@gateway/sources/alert-state';
import type { AmAlert, AmSilence } from '@gateway/sources/alertmanager-api';
import { upstreamBodyMessage } from '@gateway/sources/upstream';
import type { SourceEvent } from '@gateway/source';
import { firingAlert } from '@test/helpers/alerts';
import { parseCli } from '@gateway/cli';
import { parseSourcesConfig } from '@gateway/config';
import { normalizeSeverity, parseSeverityMap } from '@shared/domain';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

function amAlert(labels: Record<string, string>, o: Partial<AmAlert> = {}): AmAlert {
  return {
    fingerprint: `fp-${labels.alertname}-${labels.shop ?? ''}`,
    labels,
    annotations: { summary: 's' },
    startsAt: iso(T0 - 60_000),
    endsAt: iso(T0 + 5 * 60_000),
    updatedAt: iso(T0),
    status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    ...o,
  };
}

function amSilence(id: string, labels: Record<string, string>, o: Partial<AmSilence> = {}): AmSilence {
  return {
    id,
    matchers: Object.entries(labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
    startsAt: iso(T0),
    endsAt: iso(T0 + HOUR),
    updatedAt: iso(T0),
    createdBy: 'alice',
    comment: 'ACK by alice: on it',
    status: { state: 'active' },
    ...o,
  };
}

const kinds = (events: SourceEvent[]) => events.map((e) => e.kind);
const alertsIn = (events: SourceEvent[]) => events.filter((e) => e.kind === 'alert.upsert').map((e) => e.data as Alert);

const PULL = { alertname: 'OzonOrdersPullFailures', severity: 'critical', shop: 's1' };

describe('reconcile', () => {
  it('reports a new alert once, normalised, and nothing while it stays the same', () => {
    const r1 = reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR);
    expect(kinds(r1.events)).toEqual(['alert.upsert']);
    expect(alertsIn(r1.events)[0]).toEqual(
      firingAlert({
        fingerprint: 'fp-OzonOrdersPullFailures-s1',
        alertname: 'OzonOrdersPullFailures',
        labels: PULL,
        annotations: { summary: 's' },
        severity: 'P1',
        startsAt: T0 - 60_000,
        updatedAt: T0,
      }),
    );
    // Alertmanager moves endsAt/updatedAt on every re-send: that is not a change
    const r2 = reconcile(
      r1.view,
      [amAlert(PULL, { endsAt: iso(T0 + 9 * 60_000), updatedAt: iso(T0 + 30_000) })],
      [],
      T0 + 30_000,
      HOUR,
    );
    expect(r2.events).toEqual([]);
    expect(r2.view.alerts.get('fp-OzonOrdersPullFailures-s1')!.updatedAt).toBe(T0);
  });

  it('reports a change of annotations, silencing or inhibition', () => {
    const r1 = reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR);
    const r2 = reconcile(r1.view, [amAlert(PULL, { annotations: { summary: 'worse' } })], [], T0 + 1000, HOUR);
    expect(alertsIn(r2.events)).toMatchObject([{ annotations: { summary: 'worse' }, updatedAt: T0 + 1000 }]);
    const r3 = reconcile(
      r2.view,
      [
        amAlert(PULL, {
          annotations: { summary: 'worse' },
          status: { state: 'suppressed', silencedBy: null, inhibitedBy: ['x'] },
        }),
      ],
      [],
      T0 + 2000,
      HOUR,
    );
    expect(alertsIn(r3.events)).toMatchObject([{ inhibitedBy: ['x'], silencedBy: [] }]);
  });

  it('resolves an alert that left the list, then removes it after the retention', () => {
    const r1 = reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR);
    const r2 = reconcile(r1.view, [], [], T0 + 10_000, HOUR);
    expect(alertsIn(r2.events)).toMatchObject([{ state: 'resolved', endsAt: T0 + 10_000, updatedAt: T0 + 10_000 }]);
    expect(reconcile(r2.view, [], [], T0 + 10_000 + HOUR - 1, HOUR).events).toEqual([]);
    const r4 = reconcile(r2.view, [], [], T0 + 10_000 + HOUR, HOUR);
    expect(r4.events).toEqual([{ kind: 'alert.remove', data: { fingerprint: 'fp-OzonOrdersPullFailures-s1' } }]);
    expect(r4.view.alerts.size).toBe(0);
  });

  it('resolves an alert whose endsAt has passed, with that time', () => {
    const r1 = reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR);
    const r2 = reconcile(r1.view, [amAlert(PULL, { endsAt: iso(T0 + 5000) })], [], T0 + 6000, HOUR);
    expect(alertsIn(r2.events)).toMatchObject([{ state: 'resolved', endsAt: T0 + 5000 }]);
    // never seen firing: a resolved alert is not news
    expect(reconcile(emptyView(), [amAlert(PULL, { endsAt: iso(T0 - 1) })], [], T0, HOUR).events).toEqual([]);
  });

  it('fires a resolved alert again when it comes back', () => {
    const r1 = reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR);
    const r2 = reconcile(r1.view, [], [], T0 + 1000, HOUR);
    const r3 = reconcile(r2.view, [amAlert(PULL, { startsAt: iso(T0 + 2000) })], [], T0 + 2000, HOUR);
    expect(alertsIn(r3.events)).toMatchObject([{ state: 'firing', endsAt: null, startsAt: T0 + 2000 }]);
    expect(r3.view.resolvedAt.size).toBe(0);
  });

  it('shows an ack from an active ACK silence on the exact labels, silences first in the batch', () => {
    const r = reconcile(
      emptyView(),
      [amAlert(PULL, { status: { state: 'suppressed', silencedBy: ['s-1'], inhibitedBy: [] } })],
      [amSilence('s-1', PULL)],
      T0,
      HOUR,
    );
    expect(kinds(r.events)).toEqual(['silence.upsert', 'alert.upsert']);
    expect(alertsIn(r.events)[0]).toMatchObject({ ackedBy: 'alice', ackedAt: T0, ackId: 's-1', silencedBy: ['s-1'] });
  });

  it.each([
    ['an expired one', amSilence('s-1', PULL, { status: { state: 'expired' } })],
    ['a plain silence', amSilence('s-1', PULL, { comment: 'release window' })],
    ['one on a subset of the labels', amSilence('s-1', { alertname: PULL.alertname })],
    [
      'one with a regex matcher',
      amSilence('s-1', PULL, {
        matchers: [
          { name: 'alertname', value: '.*', isRegex: true, isEqual: true },
          { name: 'severity', value: 'critical', isRegex: false },
          { name: 'shop', value: 's1', isRegex: false },
        ],
      }),
    ],
    [
      'one with a negative matcher',
      amSilence('s-1', PULL, {
        matchers: [
          ...amSilence('x', PULL).matchers.slice(0, 2),
          { name: 'shop', value: 's1', isRegex: false, isEqual: false },
        ],
      }),
    ],
  ])('does not count %s as an ack', (_, silence) => {
    const r = reconcile(emptyView(), [amAlert(PULL)], [silence], T0, HOUR);
    expect(alertsIn(r.events)[0]).toMatchObject({ ackedBy: null, ackId: null });
  });

  it('takes the newest ACK silence, and clears the ack when it expires', () => {
    const older = amSilence('s-old', PULL, { startsAt: iso(T0 - HOUR), comment: 'ACK by bob', createdBy: 'bob' });
    const newer = amSilence('s-new', PULL);
    const r1 = reconcile(emptyView(), [amAlert(PULL)], [older, newer], T0, HOUR);
    expect(alertsIn(r1.events)[0]).toMatchObject({ ackedBy: 'alice', ackId: 's-new' });
    const r2 = reconcile(
      r1.view,
      [amAlert(PULL)],
      [older, { ...newer, status: { state: 'expired' } }],
      T0 + 1000,
      HOUR,
    );
    expect(kinds(r2.events)).toEqual(['silence.upsert', 'alert.upsert']);
    expect(alertsIn(r2.events)[0]).toMatchObject({ ackedBy: 'bob', ackId: 's-old' });
  });

  it('reports silences that change or disappear', () => {
    const s = amSilence('s-1', { team: 'ozon' }, { comment: 'maintenance' });
    const r1 = reconcile(emptyView(), [], [s], T0, HOUR);
    expect(r1.events).toMatchObject([
      { kind: 'silence.upsert', data: { id: 's-1', state: 'active', startsAt: T0, endsAt: T0 + HOUR } },
    ]);
    expect(reconcile(r1.view, [], [s], T0 + 1, HOUR).events).toEqual([]);
    const r3 = reconcile(r1.view, [], [{ ...s, endsAt: iso(T0 + 5), status: { state: 'expired' } }], T0 + 5, HOUR);
    expect(r3.events).toMatchObject([{ kind: 'silence.upsert', data: { state: 'expired', endsAt: T0 + 5 } }]);
    expect(reconcile(r3.view, [], [], T0 + 6, HOUR).events).toEqual([{ kind: 'silence.remove', data: { id: 's-1' } }]);
  });

  it('does not change the view it was given', () => {
    const r1 = reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR);
    const snapshot: View = {
      alerts: new Map(r1.view.alerts),
      silences: new Map(r1.view.silences),
      resolvedAt: new Map(r1.view.resolvedAt),
    };
    reconcile(r1.view, [], [], T0 + 1, HOUR);
    expect(r1.view).toEqual(snapshot);
  });
});

describe('the ACK convention', () => {
  it('writes and reads the comment', () => {
    expect(ackComment('alice', 'checking the 429s')).toBe('ACK by alice: checking the 429s');
    expect(ackComment('alice', '  ')).toBe('ACK by alice');
    expect(ackOperator('ACK by alice: checking')).toBe('alice');
    expect(ackOperator('ACK by alice')).toBe('alice');
    expect(ackOperator('ACK by ops: night: shift', 'ops: night')).toBe('ops: night');
    expect(ackOperator('maintenance window')).toBeNull();
    expect(ackOperator('ACK by ')).toBeNull();
  });
});

describe('the action tag in a silence author', () => {
  const ID = '0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

  it('round-trips the operator (even one with brackets) and the action id', () => {
    expect(splitAuthor(taggedAuthor('alice', ID))).toEqual({ operator: 'alice', actionId: ID });
    expect(splitAuthor(taggedAuthor('Li Wei [SRE]', ID))).toEqual({ operator: 'Li Wei [SRE]', actionId: ID });
    // silences made outside Vigil have no tag
    expect(splitAuthor('bob')).toEqual({ operator: 'bob', actionId: null });
    expect(splitAuthor('bob [vigil:]')).toEqual({ operator: 'bob [vigil:]', actionId: null });
  });

  it('is hidden from clients: the silence shows the operator, the ack names them, the comment is untouched', () => {
    const raw = amSilence('s1', PULL, { createdBy: taggedAuthor('alice', ID), comment: ackComment('alice', 'on it') });
    expect(toSilence(raw, T0)).toMatchObject({ createdBy: 'alice', comment: 'ACK by alice: on it' });
    const r = reconcile(emptyView(), [amAlert(PULL)], [raw], T0, HOUR);
    expect(alertsIn(r.events)[0]).toMatchObject({ ackedBy: 'alice', ackId: 's1' });
  });

  it('finds the silence an action created, in any state, and nothing for another id', () => {
    const list = [
      amSilence('s1', PULL, { createdBy: taggedAuthor('alice', 'other') }),
      amSilence('s2', PULL, { createdBy: taggedAuthor('alice', ID), status: { state: 'expired' } }),
      amSilence('s3', PULL, { createdBy: 'alice' }),
    ];
    expect(silenceOfAction(list, ID)?.id).toBe('s2');
    expect(silenceOfAction(list, 'missing')).toBeNull();
  });
});

describe('a view seeded from what the gateway stored', () => {
  const SHOP2 = { ...PULL, shop: 's2' };
  /** the previous run's view as the gateway's entities table returns it: JSON, in its own key order */
  const stored = (v: View) => ({
    alerts: [...v.alerts.values()].map((a) =>
      JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse()))),
    ),
    silences: [...v.silences.values()].map((s) => JSON.parse(JSON.stringify(s))),
  });

  it('reports nothing when Alertmanager still lists the same alerts and silences', () => {
    const before = reconcile(emptyView(), [amAlert(PULL), amAlert(SHOP2)], [amSilence('s1', PULL)], T0, HOUR);
    const after = reconcile(
      viewFromKnown(stored(before.view)),
      [amAlert(PULL, { updatedAt: iso(T0 + HOUR) }), amAlert(SHOP2)],
      [amSilence('s1', PULL)],
      T0 + 2 * 60_000,
      HOUR,
    );
    expect(after.events).toEqual([]);
  });

  it('resolves the alerts and removes the silences that vanished while the source was away', () => {
    const maintenance = amSilence('s1', { service: 'x' }, { comment: 'maintenance' });
    const before = reconcile(emptyView(), [amAlert(PULL), amAlert(SHOP2)], [maintenance], T0, HOUR);
    const at = T0 + 2 * 60_000;
    const after = reconcile(viewFromKnown(stored(before.view)), [amAlert(PULL)], [], at, HOUR);
    expect(kinds(after.events)).toEqual(['silence.remove', 'alert.upsert']);
    expect(alertsIn(after.events)[0]).toMatchObject({ labels: SHOP2, state: 'resolved', endsAt: at });
  });

  it('removes a stored resolved alert once the retention has passed since it resolved', () => {
    const fired = reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR);
    const resolved = reconcile(fired.view, [], [], T0 + 60_000, HOUR);
    const seeded = viewFromKnown(stored(resolved.view));
    expect(reconcile(seeded, [], [], T0 + 30 * 60_000, HOUR).events).toEqual([]);
    expect(kinds(reconcile(seeded, [], [], T0 + 60_000 + HOUR, HOUR).events)).toEqual(['alert.remove']);
  });

  it('leaves out stored entries that no longer pass the schemas (they are reported afresh)', () => {
    const v = viewFromKnown({ alerts: [{ fingerprint: 'x' }, null], silences: ['nonsense'] });
    expect(v.alerts.size + v.silences.size).toBe(0);
    expect(viewFromKnown(undefined)).toEqual(emptyView());
  });
});

describe('upstream error bodies', () => {
  it('keeps the words of the answer', () => {
    expect(upstreamBodyMessage('"silence invalid: end time can\'t be in the past"\n')).toBe(
      "silence invalid: end time can't be in the past",
    );
    expect(upstreamBodyMessage('{"status":"error","errorType":"bad_data","error":"parse error at char 5"}')).toBe(
      'parse error at char 5',
    );
    expect(upstreamBodyMessage('{"code":601,"message":"matchers: at least one"}')).toBe('matchers: at least one');
    expect(upstreamBodyMessage('plain failure')).toBe('plain failure');
    expect(upstreamBodyMessage('x'.repeat(600))).toHaveLength(501);
  });
});

describe('severity mapping (issue #18: documented, and configurable per platform)', () => {
  it('derives P-levels from the severity label: built-in words, or the gateway’s --severity-map first', () => {
    expect(['page', 'critical', 'warning', 'info', 'P0', 'level1', 'whatever'].map((v) => normalizeSeverity(v))).toEqual(['P0', 'P1', 'P2', 'P3', 'P0', 'P1', 'P3']);
    const map = parseSeverityMap('critical=P0, Warning = p1 ,sev-a=P2');
    expect(map).toEqual({ critical: 'P0', warning: 'P1', 'sev-a': 'P2' });
    expect(['critical', 'WARNING', 'sev-a', 'info'].map((v) => normalizeSeverity(v, map))).toEqual(['P0', 'P1', 'P2', 'P3']);
    expect(() => parseSeverityMap('critical=P5')).toThrow(/critical=P5.*P0–P3/);
    expect(() => parseSeverityMap('critical')).toThrow(/must look like critical=P0/);
  });

  it('reconcile applies the mapping to what Alertmanager reports', () => {
    const { events } = reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR, { severities: parseSeverityMap('critical=P0') });
    expect(alertsIn(events)[0].severity).toBe('P0');
    expect(alertsIn(reconcile(emptyView(), [amAlert(PULL)], [], T0, HOUR).events)[0].severity).toBe('P1');
  });

  it('the gateway takes the mapping on its command line or from VIGIL_SEVERITY_MAP, and refuses a bad one', () => {
    const base = ['--source', 'alertmanager', '--alertmanager-url', 'http://127.0.0.1:9093', '--port', '0', '--token', 'a-long-token'];
    expect(parseCli([...base, '--severity-map', 'critical=P0'])).toMatchObject({ severityMap: { critical: 'P0' } });
    expect(parseCli(base, { VIGIL_SEVERITY_MAP: 'warning=P1' })).toMatchObject({ severityMap: { warning: 'P1' } });
    expect(() => parseCli([...base, '--severity-map', 'critical=urgent'])).toThrow(/--severity-map: severity mapping "critical=urgent"/);
    // the demo source has no upstream whose severities could be mapped: the flag is refused, not ignored
    expect(() => parseCli(['--source', 'demo', '--port', '0', '--token', 'a-long-token', '--severity-map', 'critical=P0'])).toThrow(
      /--severity-map need --source alertmanager/,
    );
  });

  it('a config file maps severities for every cluster, a cluster on top of the file, and refuses a bad level by line', () => {
    const text = [
      'severityMap: { critical: P0, Warning: P1 }',
      'clusters:',
      '  - name: prod',
      '    members: [http://127.0.0.1:9093]',
      '    severityMap: { warning: P2, sev-a: P1 }',
      '  - name: stage',
      '    members: [http://127.0.0.1:9094]',
    ].join('\n');
    const [prod, stage] = parseSourcesConfig(text, '/tmp/vigil.yaml').clusters;
    expect(prod.severityMap).toEqual({ critical: 'P0', warning: 'P2', 'sev-a': 'P1' });
    expect(stage.severityMap).toEqual({ critical: 'P0', warning: 'P1' });
    expect(() => parseSourcesConfig('clusters:\n  - name: a\n    members: [http://127.0.0.1:1]\n    severityMap: { critical: urgent }\n', '/tmp/v.yaml')).toThrow(
      /line 4.*severityMap\.critical: expected one of P0, P1, P2, P3/,
    );
  });
});
