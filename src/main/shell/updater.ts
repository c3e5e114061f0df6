/**
 * Updates through electron-updater, on the person's terms: checked at start and once a day (on the injected
 * clock), downloaded in the background, proved by the feed's detached signature, and installed only when
 * the person chooses "Restart to update" — and then only if the "not now" rule (update-policy.ts) allows
 * it. Never installed on quit behind their back. Without a configured feed this is never created.
 */
import type { Clock, TimerHandle } from '@node/clock';
import type { InstallVerdict } from './update-policy';
import type { SignatureCheck } from './update-feed';

export const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;

/** The part of electron-updater's AppUpdater used here (tests hand in a recorder). */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  allowPrerelease: boolean;
  updateConfigPath: string | null;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

export type UpdateState =
  | { phase: 'idle'; checkedAt: number | null }
  | { phase: 'checking'; checkedAt: number | null }
  | { phase: 'downloading'; version: string; checkedAt: number | null }
  | { phase: 'verifying'; version: string; checkedAt: number | null }
  | { phase: 'ready'; version: string; checkedAt: number | null }
  | { phase: 'failed'; error: string; version: string | null; checkedAt: number | null };

export type InstallResult = { ok: true } | { ok: false; reason: 'no_update' } | Extract<InstallVerdict, { ok: false }>;

export interface UpdateServiceDeps {
  clock: Clock;
  updater: UpdaterLike;
  /** the app-update.yml written from update.json */
  configPath: string;
  /** checks the downloaded file against the feed's signature */
  verify(file: string): Promise<SignatureCheck>;
  /** the "not now" rule over the core's current state */
  verdict(): Promise<InstallVerdict>;
  /** lets the window close for real (the shell otherwise hides it to the tray) */
  prepareQuit(): void;
  onChange?(state: UpdateState): void;
  log?(level: 'info' | 'warn', action: string, fields: Record<string, unknown>): void;
}

export interface UpdateService {
  state(): UpdateState;
  start(): void;
  /** a check now (also what the daily timer runs) */
  check(): Promise<void>;
  /** the person chose to install: re-checks the rule, then restarts into the new version */
  installNow(): Promise<InstallResult>;
  stop(): void;
}

export function createUpdateService(deps: UpdateServiceDeps): UpdateService {
  const { updater, clock } = deps;
  let state: UpdateState = { phase: 'idle', checkedAt: null };
  let timer: TimerHandle | null = null;
  let stopped = false;
  /** bumps per download, so a slow signature check of an older download cannot overwrite a newer one */
  let downloadSeq = 0;

  const set = (next: UpdateState) => {
    state = next;
    deps.onChange?.(state);
  };
  const version = (info: unknown) =>
    info && typeof (info as { version?: unknown }).version === 'string' ? (info as { version: string }).version : '?';

  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = false;
  updater.allowDowngrade = false;
  updater.allowPrerelease = false;
  updater.updateConfigPath = deps.configPath;

  updater.on('checking-for-update', () => {
    if (state.phase !== 'ready') set({ phase: 'checking', checkedAt: state.checkedAt });
  });
  updater.on('update-available', ((info: unknown) =>
    set({ phase: 'downloading', version: version(info), checkedAt: clock.now() })) as (...a: never[]) => void);
  updater.on('update-not-available', () => {
    if (state.phase !== 'ready') set({ phase: 'idle', checkedAt: clock.now() });
  });
  updater.on('error', ((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    deps.log?.('warn', 'update.failed', { err: message.slice(0, 300) });
    if (state.phase !== 'ready')
      set({ phase: 'failed', error: message.split('\n')[0].slice(0, 200), version: null, checkedAt: clock.now() });
  }) as (...a: never[]) => void);
  updater.on('update-downloaded', ((info: unknown) => {
    const v = version(info);
    const file = (info as { downloadedFile?: unknown } | null)?.downloadedFile;
    const seq = ++downloadSeq;
    if (typeof file !== 'string') {
      set({ phase: 'failed', error: 'the updater reported no downloaded file', version: v, checkedAt: clock.now() });
      return;
    }
    set({ phase: 'verifying', version: v, checkedAt: clock.now() });
    void deps.verify(file).then(
      (r) => {
        if (seq !== downloadSeq) return;
        if (r.ok) {
          deps.log?.('info', 'update.ready', { version: v });
          set({ phase: 'ready', version: v, checkedAt: clock.now() });
        } else {
          deps.log?.('warn', 'update.signature_refused', { version: v, reason: r.reason });
          set({ phase: 'failed', error: r.reason, version: v, checkedAt: clock.now() });
        }
      },
      (err: unknown) =>
        seq === downloadSeq && set({ phase: 'failed', error: String(err), version: v, checkedAt: clock.now() }),
    );
  }) as (...a: never[]) => void);

  async function check(): Promise<void> {
    try {
      await updater.checkForUpdates();
    } catch (err) {
      // also reported through the 'error' event; the next daily check tries again
      deps.log?.('warn', 'update.check_failed', { err: String(err).slice(0, 300) });
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      timer = null;
      void check().finally(schedule);
    }, CHECK_EVERY_MS);
  }

  return {
    state: () => state,
    check,
    start() {
      if (timer || stopped) return;
      void check();
      schedule();
    },
    async installNow() {
      if (state.phase !== 'ready') return { ok: false, reason: 'no_update' };
      const verdict = await deps.verdict();
      if (!verdict.ok) {
        deps.log?.('info', 'update.not_now', { reason: verdict.reason });
        return verdict;
      }
      deps.log?.('info', 'update.install', { version: state.version });
      deps.prepareQuit();
      updater.quitAndInstall(false, true);
      return { ok: true };
    },
    stop() {
      stopped = true;
      clock.clearTimeout(timer);
      timer = null;
    },
  };
}
