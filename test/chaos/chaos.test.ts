/**
 * Chaos: exactly-once actions through kills. A real Alertmanager (test/services), the built gateway with
 * `--source alertmanager`, and the built browser host as the console (a real core with its durable outbox,
 * driven over its JSON-RPC like the page drives it). The driver issues CHAOS_ACTIONS actions — acks,
 * silences and incident timeline entries, each tagged uniquely in its free text — in bursts, while the
 * gateway is SIGKILLed and restarted on the same port CHAOS_GATEWAY_KILLS times and the console process is
 * SIGKILLed and restarted on the same data dir CHAOS_CLIENT_KILLS times.
 *
 * At the end, with everything quiet, it proves:
 *  1. nothing confirmed was lost: every action whose submit returned is in the console's outbox, and the
 *     outbox holds nothing the driver did not issue; every outbox row is acked (none failed or waiting);
 *  2. the gateway's idempotency table holds each outbox id exactly once, applied, and no other id;
 *  3. each action took effect upstream exactly once: one Alertmanager silence per silence tag, one
 *     "ACK by" silence per ack tag (expired ones included), one gateway timeline row per timeline tag;
 *  4. the console's store equals the gateway's state: the same alerts and silences (field by field), the
 *     same incident timeline, and the console's cursor at the gateway's head on the same server id.
 *
 * Prints one JSON line with the counts. Needs prometheus-alertmanager (as the sources' integration tests).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertSchema, SilenceSchema } from '@shared/alerts';
import { freePort } from '../services/common';
import { startAlertmanager, type AlertmanagerHarness } from '../services/alertmanager';
import { tempDir } from '../helpers/tmp';
import { chaosSettings, makePlan, type PlannedAction } from './plan';
import { hostRpc, startGatewayProc, startHostProc, type GatewayProc, type HostProc, type Rpc } from './procs';
import { until } from '@test/helpers/until';

const settings = chaosSettings();
const RUN = randomBytes(3).toString('hex');
const TOKEN = `chaos-token-${randomBytes(8).toString('hex')}`;
const SECRET = randomBytes(18).toString('base64url');
const OPERATOR = 'Chaos Driver';
/** the shared token proves no name: every record carries the typed one marked (docs/deploy.md) */
const RECORDED = `${OPERATOR} (shared token)`;

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chaos: actions through gateway and console kills', () => {
  it(`applies every action exactly once (${settings.actions} actions, ${settings.gatewayKills} gateway kills, ${settings.clientKills} console kills, seed ${settings.seed})`, async () => {
    const started = Date.now();
    const plan = makePlan(settings, RUN);
    const dir = tempDir('vigil-chaos-');
    // CHAOS_KEEP=1 keeps the data dirs and every process's output (logs/) for a post-mortem
    const keep = process.env.CHAOS_KEEP === '1';
    cleanups.push(() => (keep ? console.log(`chaos data kept in ${dir.dir}`) : dir.cleanup()));
    const logs = path.join(dir.dir, 'logs');
    fs.mkdirSync(logs, { recursive: true });
    let procNo = 0;
    const saveOutput = (name: string, p: { output(): string }) =>
      keep && fs.writeFileSync(path.join(logs, `${String(++procNo).padStart(2, '0')}-${name}.log`), p.output());
    const gwDir = path.join(dir.dir, 'gateway');
    const consoleDir = path.join(dir.dir, 'console');

    // ---- the world --------------------------------------------------------------------------------------
    const am: AlertmanagerHarness = await startAlertmanager();
    cleanups.push(() => am.stop());
    // both ends given: with only endsAt, Alertmanager would date the alert's start at its end
    const startsAt = new Date().toISOString();
    const endsAt = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const alertLabels = (i: number) => ({
      alertname: 'ChaosAckTarget',
      chaos_run: RUN,
      n: String(i),
      severity: 'critical',
    });
    for (let i = 0; i < plan.alerts; i += 500)
      await am.postAlerts(
        Array.from({ length: Math.min(500, plan.alerts - i) }, (_, k) => ({
          labels: alertLabels(i + k),
          annotations: { summary: `chaos target ${i + k}` },
          startsAt,
          endsAt,
        })),
      );
    await until(
      async () => (await am.alerts()).length >= plan.alerts,
      'Alertmanager to hold the target alerts',
      60_000,
      50,
    );

    const port = await freePort();
    const gwOpts = {
      dataDir: gwDir,
      token: TOKEN,
      port,
      source: 'alertmanager' as const,
      alertmanagerUrl: am.url,
      pollIntervalMs: 1000,
    };
    let gw: GatewayProc = await startGatewayProc(gwOpts);
    cleanups.push(() => gw.stop());

    let host: HostProc = await startHostProc({ dataDir: consoleDir, secret: SECRET, platform: gw.url, token: TOKEN });
    cleanups.push(() => host.stop());
    let rpc: Rpc = await hostRpc(host.origin, SECRET);
    await rpc.call('settingsSet', { operator: OPERATOR });
    const alertsByN = new Map<number, string>();
    await until(
      async () => {
        const list = await rpc.call<{ fingerprint: string; labels: Record<string, string> }[]>('alertsList');
        for (const a of list) if (a.labels.chaos_run === RUN) alertsByN.set(Number(a.labels.n), a.fingerprint);
        return alertsByN.size >= plan.alerts;
      },
      'the console to cache the target alerts',
      120_000,
      250,
    );
    const declared = await rpc.call<{ incident: { id: string } }>('incidentDeclare', {
      title: `Chaos run ${RUN}`,
      triage: { serviceDown: false, coreAffected: true, uxDegraded: null },
      severity: 'P1',
      fingerprints: [],
    });
    const incidentId = declared.incident.id;

    // ---- the run ------------------------------------------------------------------------------------------
    const confirmed = new Set<string>(); // submit returned: the action is in the outbox
    const unconfirmed = new Set<string>(); // the console died during the call: it may or may not be
    const refused: string[] = []; // the console refused the submit (a bug: every planned action is valid)
    let hostReady: Promise<void> = Promise.resolve();
    let issued = 0;
    const killLog: { what: string; atAnswered: number; issued: number; downMs: number }[] = [];

    // What the console says about its link, sampled all the time (the console may be down: keep the last).
    const link = { online: false, pending: 0, answered: 0 };
    let monitoring = true;
    const monitor = (async () => {
      while (monitoring) {
        try {
          const s = await rpc.call<{ status: string; pendingActions: number }>('linkState');
          link.online = s.status === 'online';
          link.pending = s.pendingActions;
          link.answered = Math.max(link.answered, issued - s.pendingActions);
        } catch {
          link.online = false;
        }
        await sleep(50);
      }
    })();

    const submit = async (a: PlannedAction) => {
      if (a.kind === 'ack') await rpc.call('alertAck', [alertsByN.get(a.alert)!], { note: a.tag });
      else if (a.kind === 'silence')
        await rpc.call('silenceCreate', {
          matchers: [{ name: 'chaos_tag', value: a.tag, isRegex: false, isEqual: true }],
          durationMinutes: 120,
          comment: a.tag,
        });
      else await rpc.call('incidentTimelineAdd', incidentId, { kind: 'note', text: a.tag });
    };

    const killGateway = async (downMs: number) => {
      await gw.kill();
      saveOutput('gateway', gw);
      await sleep(downMs);
      for (let attempt = 1; ; attempt++) {
        try {
          gw = await startGatewayProc(gwOpts);
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
          await sleep(200 * attempt); // the port may be held for a moment after the kill
        }
      }
    };
    const killClient = async (downMs: number) => {
      let ready!: () => void;
      hostReady = new Promise<void>((r) => (ready = r));
      await host.kill();
      saveOutput('console', host);
      rpc.close();
      link.online = false;
      await sleep(downMs);
      host = await startHostProc({ dataDir: consoleDir, secret: SECRET, platform: gw.url, token: TOKEN });
      rpc = await hostRpc(host.origin, SECRET);
      ready();
    };

    // Kills are spread over the gateway's progress, not the driver's: each one lands while the console is
    // online and the gateway is working through the outbox (a kill during a long backoff would prove little).
    const chaos = (async () => {
      for (const k of plan.kills) {
        await until(
          () => link.answered >= k.at && link.online,
          `progress to ${k.at} answered actions with the link up`,
          300_000,
          20,
        );
        killLog.push({ what: k.what, atAnswered: link.answered, issued, downMs: k.downMs });
        if (k.what === 'gateway') await killGateway(k.downMs);
        else await killClient(k.downMs);
      }
    })();

    const queue = [...plan.actions];
    const worker = async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        await hostReady;
        // keep a bounded backlog, so actions are still being issued while the later kills happen
        await until(() => link.pending <= settings.window, 'the backlog to shrink', 300_000, 20);
        try {
          await submit(a);
          confirmed.add(a.tag);
        } catch (err) {
          if (rpc.closed() || /closed/.test(String(err))) unconfirmed.add(a.tag);
          else refused.push(`${a.tag}: ${String(err)}`);
        }
        issued++;
      }
    };
    await Promise.all(Array.from({ length: settings.concurrency }, worker));
    const issuedAt = Date.now();
    await chaos;
    monitoring = false;
    await monitor;

    // ---- quiet: everything delivered, the console caught up -----------------------------------------------
    const healthz = async () =>
      (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { head: number; serverId: string };
    await until(
      async () => (await rpc.call<{ pendingActions: number }>('linkState')).pendingActions === 0,
      'the outbox to drain',
      240_000,
      250,
    );
    let lastHead = -1;
    await until(
      async () => {
        const [h, s] = await Promise.all([healthz(), rpc.call<{ cursor: number | null }>('linkState')]);
        const settled = s.cursor === h.head && h.head === lastHead;
        lastHead = h.head;
        return settled;
      },
      'the console cursor to reach the gateway head',
      120_000,
      1000,
    );
    const clientAlerts = await rpc.call<unknown[]>('alertsList');
    const clientSilences = await rpc.call<unknown[]>('silencesList');
    const clientIncident = await rpc.call<{ timeline: { text: string; author: string; kind: string }[] }>(
      'incidentGet',
      incidentId,
    );
    const head = await healthz();
    const amSilences = await am.silences();

    rpc.close();
    await host.stop();
    await gw.stop();
    saveOutput('console', host);
    saveOutput('gateway', gw);

    // ---- the evidence -------------------------------------------------------------------------------------
    const cdb = new Database(path.join(consoleDir, 'vigil.db'), { readonly: true });
    const gdb = new Database(path.join(gwDir, 'gateway.db'), { readonly: true });
    cleanups.push(
      () => cdb.close(),
      () => gdb.close(),
    );
    const outbox = cdb
      .prepare('SELECT id, type, payload, state, attempts, last_error FROM outbox ORDER BY seq')
      .all() as {
      id: string;
      type: string;
      payload: string;
      state: string;
      attempts: number;
      last_error: string | null;
    }[];
    const tagOf = (type: string, payload: Record<string, unknown>): string | null =>
      type === 'silence.create'
        ? (payload.comment as string)
        : type === 'alert.ack'
          ? ((payload.note as string) ?? null)
          : type === 'incident.timeline'
            ? (payload.text as string)
            : null;
    const outboxTags = new Map<string, string[]>();
    for (const r of outbox) {
      const tag = tagOf(r.type, JSON.parse(r.payload));
      if (tag?.startsWith(`chaos-${RUN}-`)) outboxTags.set(tag, [...(outboxTags.get(tag) ?? []), r.id]);
    }
    const planned = new Set(plan.actions.map((a) => a.tag));

    // 1. durability
    expect(refused, 'the console refused planned actions').toEqual([]);
    expect(
      [...confirmed].filter((t) => !outboxTags.has(t)),
      'confirmed actions missing from the outbox',
    ).toEqual([]);
    expect(
      [...outboxTags.keys()].filter((t) => !planned.has(t)),
      'outbox actions nobody issued',
    ).toEqual([]);
    expect(
      [...outboxTags].filter(([, ids]) => ids.length !== 1),
      'a tag queued twice',
    ).toEqual([]);
    const notAcked = outbox.filter((r) => r.state !== 'acked');
    expect(
      notAcked.map((r) => `${r.type} ${r.state} ${r.last_error ?? ''}`),
      'outbox rows not acked',
    ).toEqual([]);

    // 2. the idempotency table
    const gwActions = gdb.prepare('SELECT id, ok, error_message FROM actions').all() as {
      id: string;
      ok: number;
      error_message: string | null;
    }[];
    const gwIds = new Map(gwActions.map((a) => [a.id, a]));
    expect(gwActions.length, 'gateway action rows vs console outbox rows').toBe(outbox.length);
    expect(
      outbox.filter((r) => gwIds.get(r.id)?.ok !== 1).map((r) => r.id),
      'outbox ids not applied once at the gateway',
    ).toEqual([]);
    const auditPerId = gdb
      .prepare("SELECT json_extract(detail, '$.id') AS id, count(*) AS n FROM audit GROUP BY 1 HAVING n > 1")
      .all();
    expect(auditPerId, 'action ids audited more than once').toEqual([]);

    // 3. upstream, exactly once
    const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    const silenceComments = count(amSilences.map((s) => s.comment));
    const applied = (a: PlannedAction) =>
      a.kind === 'silence'
        ? (silenceComments.get(a.tag) ?? 0)
        : a.kind === 'ack'
          ? (silenceComments.get(`ACK by ${RECORDED}: ${a.tag}`) ?? 0)
          : 0;
    const timelineRows = count(
      (gdb.prepare('SELECT text FROM incident_timeline').all() as { text: string }[])
        .map((r) => r.text)
        .filter((t) => t.startsWith(`chaos-${RUN}-`)),
    );
    const effect = (a: PlannedAction) => (a.kind === 'timeline' ? (timelineRows.get(a.tag) ?? 0) : applied(a));
    const wrong = plan.actions
      .map((a) => ({ tag: a.tag, kind: a.kind, queued: outboxTags.has(a.tag), applied: effect(a) }))
      .filter((x) => x.applied !== (x.queued ? 1 : 0));
    const duplicates = wrong.filter((w) => w.applied > 1);

    // 4. the console equals the gateway
    const gwEntities = (family: string) =>
      new Map(
        (
          gdb.prepare('SELECT id, data FROM entities WHERE family = ?').all(family) as { id: string; data: string }[]
        ).map((r) => [r.id, JSON.parse(r.data)]),
      );
    const norm = <T extends { silencedBy?: string[]; inhibitedBy?: string[] }>(x: T) => ({
      ...x,
      ...(x.silencedBy ? { silencedBy: [...x.silencedBy].sort() } : {}),
      ...(x.inhibitedBy ? { inhibitedBy: [...x.inhibitedBy].sort() } : {}),
    });
    const gwAlerts = gwEntities('alert');
    const cAlerts = new Map(clientAlerts.map((a) => AlertSchema.parse(a)).map((a) => [a.fingerprint, norm(a)]));
    expect([...cAlerts.keys()].sort()).toEqual([...gwAlerts.keys()].sort());
    for (const [fp, a] of cAlerts) expect(a, fp).toEqual(norm(AlertSchema.parse(gwAlerts.get(fp))));
    const gwSilences = gwEntities('silence');
    const cSilences = new Map(clientSilences.map((s) => SilenceSchema.parse(s)).map((s) => [s.id, s]));
    expect([...cSilences.keys()].sort()).toEqual([...gwSilences.keys()].sort());
    for (const [id, s] of cSilences) expect(s, id).toEqual(SilenceSchema.parse(gwSilences.get(id)));
    const gwIncident = gwEntities('incident');
    const gwTimeline = (
      gdb.prepare('SELECT text FROM incident_timeline WHERE incident_id = ?').all(incidentId) as { text: string }[]
    )
      .map((r) => r.text)
      .filter((t) => t.startsWith(`chaos-${RUN}-`))
      .sort();
    const cTimeline = clientIncident.timeline
      .map((e) => e.text)
      .filter((t) => t.startsWith(`chaos-${RUN}-`))
      .sort();
    expect(cTimeline).toEqual(gwTimeline);
    expect(gwIncident.size).toBeGreaterThanOrEqual(1);
    const cursor = cdb.prepare('SELECT cursor, server_id FROM sync_cursor').get() as {
      cursor: number;
      server_id: string;
    };
    expect(cursor).toEqual({ cursor: head.head, server_id: head.serverId });
    // every ack landed on the alert it was for, as the console shows it
    const ackedNs = plan.actions
      .filter((a): a is Extract<PlannedAction, { kind: 'ack' }> => a.kind === 'ack' && outboxTags.has(a.tag))
      .map((a) => a.alert);
    expect(
      ackedNs.filter((n) => cAlerts.get(alertsByN.get(n)!)?.ackedBy !== RECORDED),
      'acked alerts the console does not show acked',
    ).toEqual([]);

    const report = {
      suite: 'chaos',
      seed: settings.seed,
      run: RUN,
      actionsPlanned: plan.actions.length,
      byKind: Object.fromEntries(count(plan.actions.map((a) => a.kind))),
      confirmedBySubmit: confirmed.size,
      unconfirmedAtKill: unconfirmed.size,
      unconfirmedButQueued: [...unconfirmed].filter((t) => outboxTags.has(t)).length,
      outboxRows: outbox.length,
      resends: outbox.reduce((n, r) => n + Math.max(0, r.attempts - 1), 0),
      gatewayActionRows: gwActions.length,
      gatewayKills: killLog.filter((k) => k.what === 'gateway').length,
      consoleKills: killLog.filter((k) => k.what === 'client').length,
      alertmanagerSilences: amSilences.length,
      timelineEntries: gwTimeline.length,
      consoleAlerts: cAlerts.size,
      consoleSilences: cSilences.size,
      cursor: cursor.cursor,
      wrongEffects: wrong.length,
      duplicatedUpstream: duplicates.length,
      issueMs: issuedAt - started,
      totalMs: Date.now() - started,
    };
    console.log(JSON.stringify(report));
    if (wrong.length) {
      // the evidence for each violation: the outbox row, the gateway's record of the id, what Alertmanager holds
      const gwRow = gdb.prepare('SELECT received_at, ok FROM actions WHERE id = ?');
      const upstreamText = (w: { tag: string; kind: string }) =>
        w.kind === 'ack' ? `ACK by ${RECORDED}: ${w.tag}` : w.tag;
      console.log(
        JSON.stringify({
          suite: 'chaos.violations',
          examples: wrong.slice(0, 20).map((w) => ({
            ...w,
            outbox: outbox
              .filter((r) => outboxTags.get(w.tag)?.includes(r.id))
              .map((r) => ({ id: r.id, state: r.state, attempts: r.attempts })),
            gateway: (outboxTags.get(w.tag) ?? []).map((id) => gwRow.get(id)),
            alertmanager: amSilences
              .filter((x) => x.comment === upstreamText(w))
              .map((x) => ({ id: x.id, state: x.status.state, startsAt: x.startsAt })),
          })),
          killLog,
        }),
      );
    }
    expect(wrong, 'actions whose upstream effect is not exactly once').toEqual([]);
  }, 900_000);
});
