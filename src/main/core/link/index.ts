/**
 * The platform link: sync client (protocol v1) and the durable outbox. Filled by the platform-link work.
 * Until then the link reports 'disabled' and `submit` refuses, so nothing pretends to be sent.
 */
import { linkMethods } from '../../../shared/contract/link';
import type { LinkState } from '../../../shared/domain';
import { ApiError } from '../../../shared/rpc';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';

export interface LinkDeps {
  platform?: { url?: string | null; token?: string | null };
  appliers: EventApplier[];
}

export interface LinkModule extends CoreModule<typeof linkMethods> {
  actions: ActionSink;
  state(): LinkState;
}

export function createLinkModule(ctx: CoreContext, deps: LinkDeps): LinkModule {
  const since = ctx.clock.now();
  return {
    handlers: {},
    actions: {
      submit() {
        throw new ApiError('not_available', 'The platform link is not available in this build.');
      },
    },
    state: () => ({
      status: 'disabled',
      since,
      platformUrl: deps.platform?.url ?? ctx.settings().platformUrl,
      embedded: false,
      lastError: null,
      lastSyncAt: null,
      cursor: null,
      snapshot: null,
      pendingActions: 0,
      operator: null,
    }),
  };
}
