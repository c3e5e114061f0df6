/** The process module of the core. See src/shared/contract/process.ts for its slice of the contract. */
import { processMethods } from '../../../shared/contract/process';
import type { ActionSink, CoreContext } from '../context';
import type { CoreModule } from '../module';

export function createProcessModule(_ctx: CoreContext, _actions: ActionSink): CoreModule<typeof processMethods> {
  return { handlers: {} };
}
