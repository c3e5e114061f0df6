/**
 * A control the signed-in person may not use stays visible, disabled, with the reason: `useGate(action)`
 * gives the props to spread on the control (disabled, title, aria-describedby) and the reason's element.
 */
import { useId, type ReactNode } from 'react';
import { useCan } from './session';

export function useGate(action: string): {
  ok: boolean;
  props: { disabled?: boolean; title?: string; 'aria-describedby'?: string };
  note: ReactNode;
} {
  const can = useCan(action);
  const id = useId();
  if (can.ok) return { ok: true, props: {}, note: null };
  return {
    ok: false,
    props: { disabled: true, title: can.reason, 'aria-describedby': id },
    note: (
      <span id={id} className="muted action-reason">
        {can.reason}
      </span>
    ),
  };
}
