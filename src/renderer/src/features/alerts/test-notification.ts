/**
 * "Test notification" (the notifications popover, Settings, the command palette): asks the core to show
 * one, and answers what happened in the page's language. The reason comes as a code
 * (@shared/notify-failure), worded here; the core's own wording is the fallback.
 */
import type { Language } from '@shared/domain';
import { notifyFailureReason } from '@shared/notify-failure';
import { vigil } from '@renderer/api';

export interface TestNotificationResult {
  delivered: boolean;
  /** why not, in `lng` (null when delivered) */
  reason: string | null;
}

export async function testNotification(lng: Language): Promise<TestNotificationResult> {
  const r = await vigil().notifyTest();
  if (r.delivered) return { delivered: true, reason: null };
  return { delivered: false, reason: r.reason ? notifyFailureReason(r.reason, lng) : (r.error ?? '') };
}
