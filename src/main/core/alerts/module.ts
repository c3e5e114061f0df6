/** The alerts module of the core. See src/shared/contract/alerts.ts for its slice of the contract. */
import { alertMethods } from '../../../shared/contract/alerts';
import type { ActionSink, CoreContext } from '../context';
import type { CoreModule } from '../module';

export function createAlertsModule(_ctx: CoreContext, _actions: ActionSink): CoreModule<typeof alertMethods> {
  return { handlers: {} };
}
