/**
 * Personal access tokens (src/gateway/tokens.ts): their shape, the scrypt hash that is all the store keeps,
 * `--expires`, and the logger masking a token by its shape wherever it appears.
 */
import { describe, expect, it } from 'vitest';
import { hashSecret, mintToken, parseExpiry, parseToken, secretMatchesHash } from '@gateway/tokens';
import { createLogger } from '@node/log';

describe('personal access tokens', () => {
  it('are vgl_<id>_<secret>, with only a salted scrypt hash of the secret kept', async () => {
    const a = await mintToken();
    const b = await mintToken();
    expect(a.token).toMatch(/^vgl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(a.id).not.toBe(b.id);
    const parts = parseToken(a.token)!;
    expect(parts.id).toBe(a.id);
    expect(a.hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a.hash).not.toContain(parts.secret);
    expect(await secretMatchesHash(parts.secret, a.hash)).toBe(true);
    expect(await secretMatchesHash(parseToken(b.token)!.secret, a.hash)).toBe(false);
    // the same secret hashes differently each time (salt)
    expect(await hashSecret(parts.secret)).not.toBe(a.hash);
  });

  it('refuses what is not shaped like a token, and malformed stored hashes', async () => {
    for (const t of ['', 'vgl_', 'Bearer x', 'vgl_0123456789abcdef_short', 'vgl_XYZ3456789abcdef_' + 'a'.repeat(43)])
      expect(parseToken(t), t).toBeNull();
    for (const h of ['', 'md5$x', 'scrypt$0$8$1$c2FsdA$aGFzaA', 'scrypt$16384$8$1$c2FsdA$c2hvcnQ'])
      expect(await secretMatchesHash('secret', h), h).toBe(false);
  });

  it('takes --expires as minutes, hours, days or weeks from now, or never', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseExpiry('90d', now)).toBe(now + 90 * 86_400_000);
    expect(parseExpiry('12h', now)).toBe(now + 12 * 3_600_000);
    expect(parseExpiry('30m', now)).toBe(now + 30 * 60_000);
    expect(parseExpiry('2w', now)).toBe(now + 14 * 86_400_000);
    expect(parseExpiry('never', now)).toBeNull();
    for (const bad of ['0d', '90', 'd', '-1d', '1y', 'soon'])
      expect(() => parseExpiry(bad, now), bad).toThrow(/--expires takes a duration like 90d/);
  });

  it('never appear in a log line, registered or not', async () => {
    const { token } = await mintToken();
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    log.log('warn', 'x', { message: `the header was Bearer ${token}`, note: `copied ${token} by hand`, list: [token] });
    expect(lines.join('\n')).not.toContain(token.slice(21));
    expect(lines.join('\n')).toContain('vgl_«redacted»');
  });
});
