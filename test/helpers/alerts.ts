/** The one alert builder for tests and benchmarks. */
import type { Alert } from '@shared/alerts';

/** 2026-01-05 08:55 UTC: when the handbook's example alert fired */
export const EXAMPLE_ALERT_AT = Date.UTC(2026, 0, 5, 8, 55);

let seq = 0;

/**
 * A fresh firing alert as the platform sends it (no end, silence, inhibition or ack). A field the caller
 * gives is used as given (labels and annotations are not merged); one it leaves out is the handbook's
 * example: the order-pull failure of service order-sync, P1, fired at EXAMPLE_ALERT_AT, with a unique
 * fingerprint. The alertname defaults to the labels' one.
 */
export function firingAlert(p: Partial<Alert> = {}): Alert {
  const alertname = p.alertname ?? p.labels?.alertname ?? 'OrderPullFailures';
  return {
    fingerprint: p.fingerprint ?? `fp${++seq}`,
    alertname,
    labels: p.labels ?? { alertname, service: 'order-sync', severity: 'critical' },
    annotations: p.annotations ?? { summary: 'Order pull failed more than 50 times in 5 min' },
    state: p.state ?? 'firing',
    severity: p.severity ?? 'P1',
    startsAt: p.startsAt ?? EXAMPLE_ALERT_AT,
    endsAt: p.endsAt ?? null,
    updatedAt: p.updatedAt ?? EXAMPLE_ALERT_AT,
    generatorUrl: p.generatorUrl ?? null,
    silencedBy: p.silencedBy ?? [],
    inhibitedBy: p.inhibitedBy ?? [],
    ackedBy: p.ackedBy ?? null,
    ackedAt: p.ackedAt ?? null,
    ackId: p.ackId ?? null,
    // the optional fields added after v1, only when given (a v1 gateway's alerts have none)
    ...(p.cluster !== undefined ? { cluster: p.cluster } : {}),
    ...(p.ackExpiresAt !== undefined ? { ackExpiresAt: p.ackExpiresAt } : {}),
    ...(p.ackExtensions !== undefined ? { ackExtensions: p.ackExtensions } : {}),
    ...(p.ackAutoExtend !== undefined ? { ackAutoExtend: p.ackAutoExtend } : {}),
  };
}
