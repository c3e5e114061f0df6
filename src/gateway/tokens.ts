/**
 * Personal access tokens: `vgl_<id>_<secret>`. The id (16 hex digits) is public — `users list` shows it and
 * the store finds the token by it; the secret (32 random bytes, base64url) is what proves the holder. Only
 * a scrypt hash of the secret is stored (Node's crypto: N=2^15, r=8, p=1, 16-byte salt), so a copy of the
 * database does not let anyone connect. The `vgl_` prefix also lets every log line mask a token by its
 * shape (@node/log), registered or not.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const TOKEN_PREFIX = 'vgl_';
const TOKEN_RE = /^vgl_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const KDF = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;

const kdf = (secret: string, salt: Buffer, o: { N: number; r: number; p: number; keylen: number }): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const opts: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 128 * o.N * o.r * 2 };
    scrypt(secret, salt, o.keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });

/** The id and secret of a token, or null when the text is not shaped like one. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1], secret: m[2] } : null;
}

export const looksLikePersonalToken = (token: string): boolean => token.startsWith(TOKEN_PREFIX);

/** The stored form of a secret: `scrypt$N$r$p$<salt>$<hash>` (base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await kdf(secret, salt, KDF);
  return ['scrypt', KDF.N, KDF.r, KDF.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `secret` matches a stored hash (constant time over the derived keys); a malformed hash never matches. */
export async function secretMatchesHash(secret: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (alg !== 'scrypt' || !salt || !hash || ![N, R, P].every((x) => Number.isInteger(x) && x > 0)) return false;
  const want = Buffer.from(hash, 'base64url');
  if (want.length < 16) return false;
  const got = await kdf(secret, Buffer.from(salt, 'base64url'), { N, r: R, p: P, keylen: want.length });
  return timingSafeEqual(got, want);
}

/** A new token and what the store keeps of it. */
export async function mintToken(): Promise<{ token: string; id: string; hash: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `${TOKEN_PREFIX}${id}_${secret}`, id, hash: await hashSecret(secret) };
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `--expires`: "90d", "12h", "30m", "2w" from now, or "never". Throws an Error that says what is accepted.
 * Returns the expiry time (ms), or null for never.
 */
export function parseExpiry(text: string, now: number): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'never') return null;
  const m = /^(\d{1,5})\s*([mhdw])$/.exec(t);
  if (!m || Number(m[1]) < 1)
    throw new Error(`--expires takes a duration like 90d, 12h, 30m or 2w (or "never"), got "${text}"`);
  return now + Number(m[1]) * UNITS[m[2]];
}
