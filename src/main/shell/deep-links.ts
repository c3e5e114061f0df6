/**
 * vigil:// deep links in the shell: registered as the app's protocol client (packaged apps), received on
 * the command line (first start, and `second-instance` on Windows and Linux) or through macOS `open-url`,
 * parsed by the one total parser in @shared/deep-links, and handed to the renderer.
 *
 * The renderer may not be listening yet (the app was started by the link): the link then waits here until
 * the renderer asks for it (the `pendingLink` method, called once it subscribed to `openLink`). After that,
 * links go straight out as `openLink` events. A reload of the page resets this.
 */
import { DEEP_LINK_SCHEME, parseDeepLink, type DeepLink } from '@shared/deep-links';

export interface LinkDeliveryDeps {
  /** pushes `openLink` to the renderer */
  send(link: DeepLink): void;
  /** brings the window up */
  focus(): void;
  /** a link that was refused (shown to the person, logged) */
  refused(reason: string): void;
}

export interface LinkDelivery {
  /** a raw link from the OS or a command line */
  open(raw: unknown): void;
  /** the renderer asks once it listens: the waiting link, if any */
  take(): DeepLink | null;
  /** the page is (re)loading: hold links until it asks again */
  rendererReset(): void;
}

export function createLinkDelivery(deps: LinkDeliveryDeps): LinkDelivery {
  let pending: DeepLink | null = null;
  let listening = false;
  return {
    open(raw) {
      const r = parseDeepLink(raw);
      deps.focus();
      if (!r.ok) {
        deps.refused(r.reason);
        return;
      }
      if (listening) deps.send(r.link);
      else pending = r.link;
    },
    take() {
      listening = true;
      const link = pending;
      pending = null;
      return link;
    },
    rendererReset() {
      listening = false;
    },
  };
}

/** The protocol client registration. Only a packaged app registers (a dev checkout would claim vigil:// for `electron .`). */
export function registerProtocolClient(app: {
  isPackaged: boolean;
  setAsDefaultProtocolClient(scheme: string): boolean;
}): boolean {
  if (!app.isPackaged) return false;
  return app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
}
