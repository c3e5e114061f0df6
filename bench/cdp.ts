/**
 * A Chromium page driven over the DevTools protocol with nothing but the domains a benchmark asks for.
 *
 * Why not Playwright here: Playwright enables the Network domain on every page it drives, and Chromium then
 * copies every WebSocket frame the page receives into a protocol event, on the page's main thread. For the
 * console's 100k-alert load (ten 2.5–4 MB frames) that copy cost the page two to three times what receiving
 * and parsing the frames costs without it (docs/performance.md, round four: 10 × 4.2 MB frames in 2.2–3.2 s
 * under Playwright, 0.9 s in the same Chromium without it). A user's browser or Electron window has no such
 * observer, so a benchmark of the page's loading must not have one either.
 *
 * The browser is a process of its own group (test/services/common), stopped by its PID.
 */
import WebSocket from 'ws';
import { startProcess } from '@test/services/processes';
import { tempDir } from '@test/helpers/tmp';

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** one attached page: `send` a protocol command in its session */
export interface CdpPage {
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** evaluates `expression` in the page (awaiting a promise it gives) and returns its value */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

export interface BareChromium {
  newPage(o: { width: number; height: number; locale: string; beforeLoad?: string }): Promise<CdpPage>;
  close(): Promise<void>;
}

export async function launchBareChromium(): Promise<BareChromium> {
  const profile = tempDir('vigil-bench-chromium-');
  const proc = await startProcess(
    process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    ['--headless', ...CHROMIUM_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile.dir}`, 'about:blank'],
    { ready: /DevTools listening on (ws:\S+)/, timeoutMs: 60_000 },
  );
  const url = proc.match[1];
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, Pending>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (m.id === undefined) return; // events: none of the enabled domains' events are needed
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(m.error.message));
    else p?.resolve(m.result);
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  return {
    async newPage({ width, height, locale, beforeLoad }) {
      const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
      const page: CdpPage = {
        send: (method, params) => send(method, params, sessionId),
        async evaluate<T>(expression: string) {
          const r = await send<{ result: { value: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
            'Runtime.evaluate',
            { expression, awaitPromise: true, returnByValue: true },
            sessionId,
          );
          if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
          return r.result.value;
        },
        close: () => send('Target.closeTarget', { targetId }).then(() => undefined),
      };
      await page.send('Page.enable');
      await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
      await page.send('Emulation.setLocaleOverride', { locale });
      if (beforeLoad) await page.send('Page.addScriptToEvaluateOnNewDocument', { source: beforeLoad });
      return page;
    },
    async close() {
      ws.close();
      await proc.stop();
      profile.cleanup();
    },
  };
}
