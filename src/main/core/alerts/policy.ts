/**
 * The notification policy: decides which alert changes become native notifications, and when.
 *
 * - A new firing alert (new, re-fired after resolving, or no longer silenced) at or above
 *   settings.notifyMinSeverity is announced with the rest of its group (alertname + service): the first
 *   announcement goes out at once, later arrivals in the same group wait for the group window and go out
 *   together as one "N more firing". A storm is also capped across groups: at most `stormMax`
 *   notifications per `stormWindowMs`; what does not fit becomes one storm summary when the window frees.
 * - Unacked P0/P1 repeat every settings.notifyRepeatMinutes until acked, silenced or resolved.
 * - Quiet hours and mute hold everything back except P0.
 * - Silenced, inhibited and acked alerts never notify. An alert of a cluster says which (`… @prod`); the same
 *   alert in two clusters makes two groups. Resolved notices only with settings.notifyResolved.
 *
 * Electron-free and clock-driven: every timer comes from the injected Clock.
 */
import { type Alert, type AlertDisplayState, displayState } from '@shared/alerts';
import { DEFAULT_GROUP_BY, groupKeyOf } from '@shared/contract/alerts';
import { CLUSTER_LABEL } from '@shared/matchers';
import { atLeast, severityRank, type Language, type Settings, type Severity } from '@shared/domain';
import type { Clock, TimerHandle } from '@node/clock';
import type { Logger } from '@node/log';
import type { NativeNotification, Notifier } from '../notifier';
import { coreLanguage } from '../language';
import { notifyText } from './notify-text';
import { inQuietHours } from './quiet';
import type { AlertBrief, SeedAlert } from './repo';
import { summaryOf } from './summary';

/**
 * Burst and storm limits. Product values; read when a policy is built. Benchmarks that time single
 * notifications lift the storm cap here (and say so), since the cap is exactly what merges them.
 */
export const POLICY_LIMITS = {
  /** later arrivals in a group wait this long after its last announcement */
  groupWindowMs: 60_000,
  /** at most stormMax notifications per stormWindowMs; the rest become one storm summary */
  stormWindowMs: 30_000,
  stormMax: 3,
};

export interface ObservedChange {
  fingerprint: string;
  /** the state before this batch of changes (null: the alert is new) */
  before: AlertBrief | null;
  /** the committed alert (null: removed) */
  after: Alert | null;
}

export interface PolicyOptions {
  clock: Clock;
  settings: () => Settings;
  /** the language to write in (the context's language(): the setting, or the page's); default from settings */
  language?: () => Language;
  notifier: Notifier;
  log: Logger;
  /** called for every notification that passed the storm cap, delivered or held by quiet hours / mute */
  onDecision?: (n: NativeNotification, delivered: boolean) => void;
  /** the summary line of a tracked alert that is not waiting to be announced (a repeat); default: its fingerprint */
  summaryOf?: (fp: string) => string | null;
  groupWindowMs?: number;
  stormWindowMs?: number;
  stormMax?: number;
}

/**
 * One tracked alert, kept small: the policy tracks every alert that changed this session and the open
 * urgent ones found at start-up, so at 100k alerts its size matters. Its group holds the alertname and
 * service; its summary is kept only while it waits in a group's pending list (else read when needed).
 */
interface Member {
  fp: string;
  severity: Severity;
  display: AlertDisplayState;
  /** while it waits to be announced (pendingNew / pendingResolved) */
  summary?: string;
  since: number;
  /** announced (or deliberately held back by quiet hours), so it takes part in repeats */
  notified: boolean;
}

/** What seeding needs of an open alert (AlertRepo.openUrgentIn reads exactly this): its group is alertname + service + cluster. */
interface Group {
  key: string;
  alertname: string;
  service: string | null;
  /** the cluster its alerts came from, said in the notification (alerts of a single upstream have none) */
  cluster: string | null;
  members: Map<string, Member>;
  pendingNew: Set<string>;
  pendingResolved: Map<string, Member>;
  windowUntil: number;
  windowTimer: TimerHandle | null;
  repeatTimer: TimerHandle | null;
}

const URGENT: readonly Severity[] = ['P0', 'P1'];
const isUrgent = (s: Severity) => URGENT.includes(s);
const worstOf = (ms: Iterable<Member>): Severity => {
  let w: Severity = 'P3';
  for (const m of ms) if (severityRank(m.severity) < severityRank(w)) w = m.severity;
  return w;
};

export function urgencyOf(s: Severity): Pick<NativeNotification, 'urgency' | 'sticky'> {
  if (isUrgent(s)) return { urgency: 'critical', sticky: true };
  return { urgency: s === 'P2' ? 'normal' : 'low', sticky: false };
}

export class NotificationPolicy {
  private readonly groups = new Map<string, Group>();
  private readonly groupOf = new Map<string, string>();
  private sentAt: number[] = [];
  private overflow = new Map<string, { n: NativeNotification; severity: Severity; count: number }>();
  private drainTimer: TimerHandle | null = null;
  private mutedUntil: number | null = null;
  private readonly groupWindowMs: number;
  private readonly stormWindowMs: number;
  private readonly stormMax: number;

  constructor(private readonly o: PolicyOptions) {
    this.groupWindowMs = o.groupWindowMs ?? POLICY_LIMITS.groupWindowMs;
    this.stormWindowMs = o.stormWindowMs ?? POLICY_LIMITS.stormWindowMs;
    this.stormMax = o.stormMax ?? POLICY_LIMITS.stormMax;
  }

  setMutedUntil(at: number | null): void {
    this.mutedUntil = at;
  }
  muted(): boolean {
    return this.mutedUntil !== null && this.mutedUntil > this.o.clock.now();
  }
  quietNow(): boolean {
    return inQuietHours(this.o.clock.now(), this.o.settings());
  }

  /**
   * Tracks alerts that were firing, unacked, unsilenced and urgent at start-up (announced before the
   * restart), so their repeats carry on; call with slices of them, then seeded(). An alert already tracked
   * (it changed since start-up) is left as it is. Other alerts open at start-up are not tracked: a later
   * change that finds one untracked but open before counts it as announced (see observe()).
   */
  seed(alerts: readonly SeedAlert[]): void {
    for (const a of alerts) {
      if (this.groupOf.has(a.fingerprint)) continue;
      const g = this.groupFor({ alertname: a.alertname, labels: a.service === null ? {} : { service: a.service }, cluster: a.cluster ?? undefined });
      g.members.set(a.fingerprint, { fp: a.fingerprint, severity: a.severity, display: 'firing', since: a.startsAt, notified: true });
      this.groupOf.set(a.fingerprint, g.key);
    }
  }

  /** seeding is complete: repeats start for the seeded groups */
  seeded(): void {
    for (const g of this.groups.values()) this.scheduleRepeat(g);
  }

  observe(changes: readonly ObservedChange[]): void {
    const s = this.o.settings();
    const touched = new Set<Group>();
    for (const c of changes) {
      const before = c.before?.display ?? null;
      if (!c.after) {
        this.untrack(c.fingerprint);
        continue;
      }
      const a = c.after;
      const now = displayState(a);
      const wasOpen = before === 'firing' || before === 'acked';
      if (now === 'resolved') {
        const key = this.groupOf.get(a.fingerprint);
        const g = key ? this.groups.get(key) : undefined;
        const m = g?.members.get(a.fingerprint);
        this.untrack(a.fingerprint);
        if (s.notifyResolved && wasOpen && atLeast(a.severity, s.notifyMinSeverity)) {
          const rg = this.groupFor(a);
          rg.pendingResolved.set(a.fingerprint, { ...(m ?? this.member(a)), summary: summaryOf(a) });
          rg.pendingNew.delete(a.fingerprint);
          touched.add(rg);
        }
        continue;
      }
      // untracked but open before this change: it was open at start-up, i.e. announced before the restart
      const m = this.track(a, wasOpen);
      const g = this.groupFor(a);
      const fresh = now === 'firing' && (before === null || before === 'resolved' || before === 'silenced' || before === 'inhibited');
      if (fresh && atLeast(a.severity, s.notifyMinSeverity)) {
        g.pendingNew.add(a.fingerprint);
        m.since = this.o.clock.now();
        m.summary = summaryOf(a);
        touched.add(g);
      }
    }
    for (const g of touched) this.release(g);
  }

  stop(): void {
    for (const g of this.groups.values()) {
      this.o.clock.clearTimeout(g.windowTimer);
      this.o.clock.clearTimeout(g.repeatTimer);
    }
    this.o.clock.clearTimeout(this.drainTimer);
    this.groups.clear();
    this.groupOf.clear();
  }

  // ---- tracking --------------------------------------------------------------------------------------

  private member(a: Alert): Member {
    return { fp: a.fingerprint, severity: a.severity, display: displayState(a), since: a.startsAt, notified: false };
  }

  /** the group of an alert's alertname, labels and cluster, made on first use */
  private groupFor(a: Pick<Alert, 'labels' | 'alertname' | 'cluster'>): Group {
    // the same alert in two clusters is two problems: one group per cluster
    const key = groupKeyOf({ ...a.labels, alertname: a.alertname, [CLUSTER_LABEL]: a.cluster ?? '' }, [...DEFAULT_GROUP_BY, CLUSTER_LABEL]);
    let g = this.groups.get(key);
    if (!g) {
      g = {
        key,
        alertname: a.alertname,
        service: a.labels.service ?? null,
        cluster: a.cluster ?? null,
        members: new Map(),
        pendingNew: new Set(),
        pendingResolved: new Map(),
        windowUntil: 0,
        windowTimer: null,
        repeatTimer: null,
      };
      this.groups.set(key, g);
    }
    return g;
  }

  /** `openBefore`: the alert was firing or acked before this change (notified if it was not tracked) */
  private track(a: Alert, openBefore = false): Member {
    const g = this.groupFor(a);
    const oldKey = this.groupOf.get(a.fingerprint);
    if (oldKey !== undefined && oldKey !== g.key) this.untrack(a.fingerprint);
    const prev = g.members.get(a.fingerprint);
    const m: Member = { ...this.member(a), notified: prev ? prev.notified : openBefore, since: prev?.since ?? a.startsAt };
    if (prev?.summary !== undefined) m.summary = prev.summary;
    g.members.set(a.fingerprint, m);
    this.groupOf.set(a.fingerprint, g.key);
    return m;
  }

  /** a member's summary line: kept while it waits to be announced, else read when needed */
  private summaryLine(m: Member): string {
    return m.summary ?? this.o.summaryOf?.(m.fp) ?? m.fp;
  }

  private untrack(fp: string): void {
    const key = this.groupOf.get(fp);
    if (key === undefined) return;
    this.groupOf.delete(fp);
    const g = this.groups.get(key);
    if (!g) return;
    g.members.delete(fp);
    g.pendingNew.delete(fp);
    this.dropIfIdle(g);
  }

  private dropIfIdle(g: Group): void {
    if (g.members.size || g.pendingNew.size || g.pendingResolved.size || g.windowTimer || g.repeatTimer) return;
    this.groups.delete(g.key);
  }

  // ---- announcing ------------------------------------------------------------------------------------

  /** Announces what is pending in a group now, or when its window closes. */
  private release(g: Group): void {
    const now = this.o.clock.now();
    if (now < g.windowUntil) {
      if (!g.windowTimer) g.windowTimer = this.o.clock.setTimeout(() => this.windowClosed(g), g.windowUntil - now);
      return;
    }
    const firing = [...g.pendingNew].map((fp) => g.members.get(fp)).filter((m): m is Member => !!m && m.display === 'firing');
    const resolved = [...g.pendingResolved.values()];
    const followUp = g.windowUntil > 0;
    g.pendingNew.clear();
    g.pendingResolved.clear();
    let announced = false;
    if (firing.length) {
      for (const m of firing) m.notified = true;
      this.announce(this.newFiring(g, firing, followUp), worstOf(firing), firing.length);
      for (const m of firing) delete m.summary;
      this.scheduleRepeat(g);
      announced = true;
    }
    if (resolved.length) {
      this.announce(this.resolvedNotice(g, resolved), 'P3', resolved.length);
      announced = true;
    }
    if (announced) {
      g.windowUntil = now + this.groupWindowMs;
      g.windowTimer = this.o.clock.setTimeout(() => this.windowClosed(g), this.groupWindowMs);
    } else {
      g.windowUntil = 0;
      this.dropIfIdle(g);
    }
  }

  private windowClosed(g: Group): void {
    g.windowTimer = null;
    this.release(g);
  }

  private scheduleRepeat(g: Group): void {
    const minutes = this.o.settings().notifyRepeatMinutes;
    if (minutes <= 0 || g.repeatTimer || !this.repeatCandidates(g).length) return;
    g.repeatTimer = this.o.clock.setTimeout(() => {
      g.repeatTimer = null;
      const due = this.repeatCandidates(g);
      if (!due.length) return this.dropIfIdle(g);
      this.announce(this.stillUnacked(g, due), worstOf(due), due.length);
      this.scheduleRepeat(g);
    }, minutes * 60_000);
  }

  private repeatCandidates(g: Group): Member[] {
    const min = this.o.settings().notifyMinSeverity;
    return [...g.members.values()].filter((m) => m.notified && m.display === 'firing' && isUrgent(m.severity) && atLeast(m.severity, min));
  }

  private label(g: Group): string {
    const label = g.service ? `${g.alertname} · ${g.service}` : g.alertname;
    return g.cluster ? `${label} @${g.cluster}` : label;
  }

  private texts() {
    return notifyText.in(this.o.language?.() ?? coreLanguage(this.o.settings()));
  }

  private newFiring(g: Group, ms: Member[], followUp: boolean): NativeNotification {
    const t = this.texts();
    const sorted = [...ms].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
    const worst = sorted[0];
    const suffix = ms.length === 1 && !followUp ? '' : ` — ${followUp ? t.moreFiring({ n: ms.length }) : t.firing({ n: ms.length })}`;
    const lines = sorted.slice(0, 3).map((m) => (ms.length === 1 ? this.summaryLine(m) : `• ${this.summaryLine(m)}`));
    if (ms.length > 3) lines.push(t.more({ n: ms.length - 3 }));
    return {
      tag: `vigil:firing:${g.key}`,
      title: `[${worst.severity}] ${this.label(g)}${suffix}`,
      body: lines.join('\n'),
      fingerprint: worst.fp,
      ...urgencyOf(worst.severity),
    };
  }

  private stillUnacked(g: Group, ms: Member[]): NativeNotification {
    const t = this.texts();
    const worst = [...ms].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0];
    const oldest = Math.min(...ms.map((m) => m.since));
    const minutes = Math.max(1, Math.round((this.o.clock.now() - oldest) / 60_000));
    return {
      tag: `vigil:firing:${g.key}`,
      title: t.stillUnacked({ severity: worst.severity, label: this.label(g) }),
      body: `${t.unackedFor(ms.length, { minutes })}\n${this.summaryLine(worst)}`,
      fingerprint: worst.fp,
      ...urgencyOf(worst.severity),
    };
  }

  private resolvedNotice(g: Group, ms: Member[]): NativeNotification {
    const t = this.texts();
    return {
      tag: `vigil:resolved:${g.key}`,
      title: t.resolved({ label: this.label(g) }),
      body: ms.length === 1 ? this.summaryLine(ms[0]) : t.resolvedCount(ms.length),
      fingerprint: ms[0].fp,
      urgency: 'low',
      sticky: false,
    };
  }

  /** Quiet hours and mute, then the storm cap, then the OS. P0 breaks through quiet hours and mute. */
  private announce(n: NativeNotification, severity: Severity, count: number): void {
    if (severity !== 'P0' && (this.muted() || this.quietNow())) {
      this.o.log.log('info', 'notify.held', { tag: n.tag, severity, reason: this.muted() ? 'muted' : 'quiet_hours' });
      this.o.onDecision?.(n, false);
      return;
    }
    const now = this.o.clock.now();
    this.sentAt = this.sentAt.filter((t) => t > now - this.stormWindowMs);
    if (this.sentAt.length >= this.stormMax) {
      const prev = this.overflow.get(n.tag);
      this.overflow.set(n.tag, { n, severity: prev && severityRank(prev.severity) < severityRank(severity) ? prev.severity : severity, count: (prev?.count ?? 0) + count });
      if (!this.drainTimer) this.drainTimer = this.o.clock.setTimeout(() => this.drain(), this.sentAt[0] + this.stormWindowMs - now);
      return;
    }
    this.deliver(n);
  }

  private drain(): void {
    this.drainTimer = null;
    const held = [...this.overflow.values()];
    this.overflow.clear();
    if (!held.length) return;
    if (held.length === 1) return this.deliver(held[0].n);
    held.sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
    const worst = held[0];
    const t = this.texts();
    const total = held.reduce((sum, h) => sum + h.count, 0);
    const lines = held.slice(0, 3).map((h) => `• ${h.n.title}`);
    if (held.length > 3) lines.push(t.more({ n: held.length - 3 }));
    this.deliver({
      tag: 'vigil:storm',
      title: t.storm({ severity: worst.severity, alerts: total, groups: held.length }),
      body: lines.join('\n'),
      fingerprint: worst.n.fingerprint,
      ...urgencyOf(worst.severity),
    });
  }

  private deliver(n: NativeNotification): void {
    this.sentAt.push(this.o.clock.now());
    this.o.log.log('info', 'notify.sent', { tag: n.tag, urgency: n.urgency, title: n.title });
    this.o.onDecision?.(n, true);
    // The adapter logs an unreachable OS notifier once; here each miss is only a debug line.
    const missed = (err: unknown) => this.o.log.log('debug', 'notify.failed', { tag: n.tag, err: String(err) });
    try {
      const r = this.o.notifier.notify(n);
      if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(missed);
    } catch (err) {
      missed(err);
    }
  }
}
