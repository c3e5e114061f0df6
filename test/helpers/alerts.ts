/** Test and benchmark alerts. */
import type { Alert } from '@shared/alerts';

/** A fresh firing alert as the platform sends it (no end, silence, inhibition or ack); the caller gives the rest. */
export function firingAlert(
  a: Pick<Alert, 'fingerprint' | 'alertname' | 'labels' | 'severity' | 'startsAt' | 'updatedAt'> & Partial<Alert>,
): Alert {
  return {
    annotations: {},
    state: 'firing',
    endsAt: null,
    generatorUrl: null,
    silencedBy: [],
    inhibitedBy: [],
    ackedBy: null,
    ackedAt: null,
    ackId: null,
    ...a,
  };
}
