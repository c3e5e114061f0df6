/** The alerts module of the core. See src/shared/contract/alerts.ts for its slice of the contract. */
import { alertMethods } from '../../../shared/contract/alerts';
import { eventData } from '../../../shared/protocol';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';
import { createAlertRepo } from './repo';

export function createAlertsModule(ctx: CoreContext, _actions: ActionSink): CoreModule<typeof alertMethods> {
  const repo = createAlertRepo(ctx.db);
  const appliers: EventApplier[] = [
    {
      kind: 'alert.upsert',
      apply(data) {
        repo.upsert(eventData['alert.upsert'].parse(data), ctx.clock.now());
        ctx.touch('alerts');
        return 'alerts';
      },
    },
    {
      kind: 'alert.remove',
      apply(data) {
        repo.remove(eventData['alert.remove'].parse(data).fingerprint);
        return 'alerts';
      },
    },
    {
      kind: 'silence.upsert',
      apply(data) {
        repo.upsertSilence(eventData['silence.upsert'].parse(data));
        return 'alerts';
      },
    },
    {
      kind: 'silence.remove',
      apply(data) {
        ctx.db.prepare('DELETE FROM silences WHERE id = ?').run(eventData['silence.remove'].parse(data).id);
        return 'alerts';
      },
    },
  ];
  return { handlers: {}, appliers };
}
