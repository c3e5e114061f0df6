/**
 * An Alertmanager member in memory (the slice of API v2 the source uses), for unit tests of clusters,
 * failover and ack extension under a FakeClock. It follows Alertmanager where the gateway depends on it:
 * silencedBy is computed from active silences, a silence's state from the time, an update of an active
 * silence with the same matchers and start is made in place (else the old one is expired and a new id
 * made), an unknown id is a 404. Gossip is explicit: `gossipTo(other)` copies silences, newest wins.
 */
import type { Clock } from '@node/clock';
import { compileMatchers } from '@shared/matchers';
import type { AlertmanagerApi, AmAlert, AmSilence, PostableSilence } from '@gateway/sources/alertmanager-api';
import { UpstreamError } from '@gateway/sources/upstream';

interface StoredSilence extends Omit<AmSilence, 'status' | 'startsAt' | 'endsAt' | 'updatedAt'> {
  start: number;
  end: number;
  updated: number;
}

export class FakeAlertmanager implements AlertmanagerApi {
  down = false;
  /** fails the next createSilence after storing it (as a member that dies mid-answer) */
  dieAfterNextCreate = false;
  readonly posted: PostableSilence[] = [];
  private readonly alertList = new Map<string, { labels: Record<string, string>; startsAt: number; endsAt: number }>();
  private readonly silenceMap = new Map<string, StoredSilence>();
  private seq = 0;

  constructor(
    readonly url: string,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  private check(): void {
    if (this.down) throw new UpstreamError('Alertmanager', 'unreachable', `Alertmanager at ${this.url} is unreachable: connection refused`);
  }
  private iso = (t: number) => new Date(t).toISOString();
  private state(s: StoredSilence): AmSilence['status']['state'] {
    const now = this.clock.now();
    return s.end <= now ? 'expired' : s.start > now ? 'pending' : 'active';
  }
  private view(s: StoredSilence): AmSilence {
    const { start: _s, end: _e, updated, ...rest } = s;
    return { ...rest, startsAt: this.iso(s.start), endsAt: this.iso(s.end), updatedAt: this.iso(updated), status: { state: this.state(s) } };
  }

  /** an alert fires (or keeps firing) until `endsAt` (default: far ahead) */
  fire(fingerprint: string, labels: Record<string, string>, endsAt = this.clock.now() + 3_600_000): void {
    const prev = this.alertList.get(fingerprint);
    this.alertList.set(fingerprint, { labels, startsAt: prev?.startsAt ?? this.clock.now(), endsAt });
  }
  resolve(fingerprint: string): void {
    const a = this.alertList.get(fingerprint);
    if (a) a.endsAt = this.clock.now();
  }
  silenceList(): AmSilence[] {
    return [...this.silenceMap.values()].map((s) => this.view(s));
  }

  async alerts(): Promise<AmAlert[]> {
    this.check();
    const active = this.silenceList().filter((s) => s.status.state === 'active');
    return [...this.alertList].map(([fingerprint, a]) => ({
      fingerprint,
      labels: a.labels,
      annotations: {},
      startsAt: this.iso(a.startsAt),
      endsAt: this.iso(a.endsAt),
      updatedAt: this.iso(a.startsAt),
      status: {
        state: 'active',
        silencedBy: active.filter((s) => compileMatchers(s.matchers.map((m) => ({ ...m, isEqual: m.isEqual ?? true })))(a.labels)).map((s) => s.id),
        inhibitedBy: [],
      },
    }));
  }
  async silences(): Promise<AmSilence[]> {
    this.check();
    return this.silenceList();
  }
  async createSilence(p: PostableSilence): Promise<string> {
    this.check();
    this.posted.push(p);
    const now = this.clock.now();
    const start = Date.parse(p.startsAt);
    const end = Date.parse(p.endsAt);
    let id: string;
    const prev = p.id ? this.silenceMap.get(p.id) : undefined;
    if (p.id && !prev) throw new UpstreamError('Alertmanager', 'http', `Alertmanager answered 404: silence not found`, 404, 'silence not found');
    if (prev && this.state(prev) === 'active' && prev.start === start && JSON.stringify(prev.matchers) === JSON.stringify(p.matchers)) {
      id = prev.id;
    } else {
      if (prev) prev.end = Math.min(prev.end, now);
      id = `${this.url.slice(-4)}-${++this.seq}`;
    }
    this.silenceMap.set(id, { id, matchers: p.matchers, createdBy: p.createdBy, comment: p.comment, start: Math.max(start, prev?.start ?? start), end, updated: now });
    if (this.dieAfterNextCreate) {
      this.dieAfterNextCreate = false;
      this.down = true;
      throw new UpstreamError('Alertmanager', 'unreachable', `Alertmanager at ${this.url} broke off its answer: connection reset`);
    }
    return id;
  }
  async expireSilence(id: string): Promise<void> {
    this.check();
    const s = this.silenceMap.get(id);
    if (!s) throw new UpstreamError('Alertmanager', 'http', 'Alertmanager answered 404: silence not found', 404, 'silence not found');
    s.end = Math.min(s.end, this.clock.now());
    s.updated = this.clock.now();
  }

  /** one gossip round to `other`: every silence it lacks or holds older */
  gossipTo(other: FakeAlertmanager): void {
    for (const s of this.silenceMap.values()) {
      const theirs = other.silenceMap.get(s.id);
      if (!theirs || theirs.updated < s.updated) other.silenceMap.set(s.id, { ...s });
    }
  }
}
