/**
 * Structured JSON logging with redaction (handbook 000 §3.1: a fixed field set, no secrets in clear).
 * Any registered secret value is replaced wherever it appears; keys that name secrets are masked.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  log(level: Level, action: string, fields?: Record<string, unknown>): void;
  /** registers a value that must never appear in a log line (a token, a web secret) */
  addSecret(value: string | null | undefined): void;
}

/** a personal access token (src/gateway/tokens.ts) by its shape: masked even where nobody registered it */
const PERSONAL_TOKEN = /vgl_[0-9a-f]{16}_[A-Za-z0-9_-]+/g;
const SECRET_KEY = /token|secret|password|authorization|cookie|apikey|api_key/i;

export function redact(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const s of secrets) if (s.length >= 4) out = out.split(s).join('«redacted»');
    return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1«redacted»').replace(PERSONAL_TOKEN, 'vgl_«redacted»');
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '«redacted»' : redact(v, secrets);
    return out;
  }
  return value;
}

export function createLogger(
  opts: { write?: (line: string) => void; minLevel?: Level; now?: () => number; plugin?: string } = {},
): Logger {
  const order: Level[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(opts.minLevel ?? ((process.env.VIGIL_LOG_LEVEL as Level) || 'info'));
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = opts.now ?? Date.now;
  const plugin = opts.plugin ?? 'vigil';
  const secrets: string[] = [];
  return {
    addSecret(v) {
      if (v && !secrets.includes(v)) secrets.push(v);
    },
    log(level, action, fields = {}) {
      if (order.indexOf(level) < min) return;
      const rec = redact({ ts: new Date(now()).toISOString(), level, plugin, action, ...fields }, secrets);
      write(JSON.stringify(rec));
    },
  };
}

export const silentLogger: Logger = { log() {}, addSecret() {} };
