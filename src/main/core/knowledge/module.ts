/** The knowledge module of the core. See src/shared/contract/knowledge.ts for its slice of the contract. */
import { knowledgeMethods } from '../../../shared/contract/knowledge';
import type { ActionSink, CoreContext } from '../context';
import type { CoreModule } from '../module';

export function createKnowledgeModule(_ctx: CoreContext, _actions: ActionSink): CoreModule<typeof knowledgeMethods> {
  return { handlers: {} };
}
