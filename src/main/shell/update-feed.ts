/**
 * Where updates come from and how a download is proved genuine.
 *
 * The feed is a plain HTTPS folder the team hosts (electron-updater's "generic" provider: latest*.yml next
 * to the installers). It is configured in `update.json`, looked up in the data folder first, then next to
 * the app's resources (where a team's installer can ship it):
 *
 *   { "url": "https://updates.example.com/vigil/", "publicKey": "-----BEGIN PUBLIC KEY-----…",
 *     "publisherName": ["Example Corp"] }
 *
 * No file → no updater at all: nothing is checked, nothing asked. A file that does not validate is reported
 * in the log and also means no updater.
 *
 * Signature: every installer on the feed has a detached signature `<file name>.sig` beside it, made with the
 * team's private key (`openssl dgst -sha256 -sign key.pem -out F.sig F`, RSA ≥ 2048 bits or EC). The app
 * checks it against `publicKey` before it offers the update, on every platform (electron-updater itself
 * only checks a sha512 from the same feed, plus Authenticode on Windows when `publisherName` is set and the
 * code signature on macOS).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseJson } from '@shared/json';
import { describeZodError } from '@shared/rpc';

export const UPDATE_CONFIG_FILE = 'update.json';

const PublicKeyPem = z
  .string()
  .max(16_384)
  .refine((pem) => checkPublicKey(pem) === null, {
    message: 'not an RSA (≥ 2048 bits) or EC public key in PEM',
  });

export const UpdateConfigSchema = z
  .object({
    url: z
      .string()
      .url()
      .refine((u) => u.startsWith('https://'), 'url: the update feed must be https://'),
    publicKey: PublicKeyPem,
    /** Windows: the Authenticode publisher names electron-updater also requires of a new installer */
    publisherName: z.array(z.string().min(1).max(200)).max(10).optional(),
  })
  .strict();
export type UpdateConfig = z.infer<typeof UpdateConfigSchema>;

/** null when `pem` is a public key we accept, else why not. */
export function checkPublicKey(pem: string): string | null {
  try {
    const key = crypto.createPublicKey(pem);
    if (key.asymmetricKeyType === 'ec') return null;
    if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return null;
    return `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export type UpdateConfigLoad =
  { config: UpdateConfig; file: string } | { config: null; file: string | null; error: string | null };

/** Reads the first update.json found in `dirs`. Never throws. */
export function loadUpdateConfig(dirs: readonly string[]): UpdateConfigLoad {
  for (const dir of dirs) {
    const file = path.join(dir, UPDATE_CONFIG_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const json = parseJson(text);
    if (!json.ok) return { config: null, file, error: `not JSON: ${json.error}` };
    const parsed = UpdateConfigSchema.safeParse(json.value);
    if (!parsed.success) return { config: null, file, error: describeZodError(parsed.error) };
    const url = parsed.data.url.endsWith('/') ? parsed.data.url : `${parsed.data.url}/`;
    return { config: { ...parsed.data, url }, file };
  }
  return { config: null, file: null, error: null };
}

/**
 * electron-updater reads its provider from an app-update.yml; ours is written from update.json (JSON is
 * YAML), so the packaged app's own copy is never what decides the feed.
 */
export function writeUpdaterConfig(config: UpdateConfig, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'app-update.yml');
  const body = {
    provider: 'generic',
    url: config.url,
    updaterCacheDirName: 'vigil-updater',
    ...(config.publisherName ? { publisherName: config.publisherName } : {}),
  };
  fs.writeFileSync(file, JSON.stringify(body, null, 2), { mode: 0o600 });
  return file;
}

/** `<feed>/<file name>.sig` */
export function signatureUrl(feedUrl: string, downloadedFile: string): string {
  return new URL(`${encodeURIComponent(path.basename(downloadedFile))}.sig`, feedUrl).toString();
}

/** Checks `signature` over the file's bytes (SHA-256), streaming the file. False on any failure. */
export async function verifyFileSignature(file: string, signature: Uint8Array, publicKeyPem: string): Promise<boolean> {
  try {
    const verifier = crypto.createVerify('sha256');
    for await (const chunk of fs.createReadStream(file)) verifier.update(chunk as Buffer);
    return verifier.verify(publicKeyPem, signature);
  } catch {
    return false;
  }
}

export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

const MAX_SIGNATURE = 16_384;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Fetches `<file>.sig` from the feed and checks the downloaded file against it. */
export async function checkDownloadSignature(opts: {
  config: UpdateConfig;
  file: string;
  fetch: FetchLike;
}): Promise<SignatureCheck> {
  const url = signatureUrl(opts.config.url, opts.file);
  if (!url.startsWith('https://')) return { ok: false, reason: 'the signature URL is not https' };
  let sig: Uint8Array;
  try {
    const res = await opts.fetch(url);
    if (!res.ok) return { ok: false, reason: `no signature at ${url} (HTTP ${res.status})` };
    sig = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    return { ok: false, reason: `the signature could not be fetched: ${(err as Error).message}` };
  }
  if (sig.length === 0 || sig.length > MAX_SIGNATURE)
    return { ok: false, reason: 'the signature file is empty or too large' };
  const good = await verifyFileSignature(opts.file, sig, opts.config.publicKey);
  return good ? { ok: true } : { ok: false, reason: 'the signature does not match the downloaded file' };
}
