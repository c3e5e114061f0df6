/** The roster module of the core. See src/shared/contract/roster.ts for its slice of the contract. */
import { rosterMethods } from '../../../shared/contract/roster';
import type { ActionSink, CoreContext } from '../context';
import type { CoreModule } from '../module';

export function createRosterModule(_ctx: CoreContext, _actions: ActionSink): CoreModule<typeof rosterMethods> {
  return { handlers: {} };
}
