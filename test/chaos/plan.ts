/**
 * What the chaos driver does, decided up front from one seed: the actions (each carrying a unique tag in
 * its free text, so its effect can be found upstream), and the points in the run where the gateway and
 * the console are killed. One seed gives the same run plan.
 */
import { seededRandom } from '@gateway/sources/demo-model';

export type PlannedAction =
  { kind: 'ack'; tag: string; alert: number } | { kind: 'silence'; tag: string } | { kind: 'timeline'; tag: string };

export interface ChaosSettings {
  actions: number;
  gatewayKills: number;
  clientKills: number;
  seed: number;
  /** actions in flight at once (bursts leave the outbox and the gateway with work when a kill lands) */
  concurrency: number;
  /** the most actions left unanswered before the driver waits (the backlog a kill finds) */
  window: number;
}

const int = (name: string, fallback: number, min: number): number => {
  const raw = process.env[name];
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return v;
};

/** CI defaults are small (the run must stay well under 3 minutes); CHAOS_ACTIONS=5000 etc. for the big run. */
export function chaosSettings(): ChaosSettings {
  const actions = int('CHAOS_ACTIONS', 300, 10);
  return {
    actions,
    gatewayKills: int('CHAOS_GATEWAY_KILLS', Math.max(6, Math.round(actions / 50)), 0),
    clientKills: int('CHAOS_CLIENT_KILLS', Math.max(3, Math.round(actions / 100)), 0),
    seed: int('CHAOS_SEED', 20260105, 0),
    concurrency: int('CHAOS_CONCURRENCY', 4, 1),
    window: int('CHAOS_WINDOW', 40, 1),
  };
}

export interface ChaosPlan {
  actions: PlannedAction[];
  /** ack actions need one firing alert each (an alert is acked once, so its ack silence is unambiguous) */
  alerts: number;
  /** after how many actions the gateway has answered each kill happens, in order */
  kills: { at: number; what: 'gateway' | 'client'; downMs: number }[];
}

export function makePlan(s: ChaosSettings, runId: string): ChaosPlan {
  const rng = seededRandom(s.seed);
  const actions: PlannedAction[] = [];
  let alerts = 0;
  for (let i = 0; i < s.actions; i++) {
    const tag = `chaos-${runId}-${i}`;
    const r = rng();
    if (r < 0.25) actions.push({ kind: 'ack', tag, alert: alerts++ });
    else if (r < 0.65) actions.push({ kind: 'silence', tag });
    else actions.push({ kind: 'timeline', tag });
  }
  const point = () => Math.floor(s.actions * (0.05 + 0.85 * rng()));
  const kills = [
    ...Array.from({ length: s.gatewayKills }, () => ({
      at: point(),
      what: 'gateway' as const,
      downMs: Math.floor(rng() * 1500),
    })),
    ...Array.from({ length: s.clientKills }, () => ({
      at: point(),
      what: 'client' as const,
      downMs: Math.floor(rng() * 800),
    })),
  ].sort((a, b) => a.at - b.at);
  return { actions, alerts, kills };
}
