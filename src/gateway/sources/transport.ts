/**
 * How the gateway reaches one upstream (an Alertmanager member, a Prometheus): extra headers (a tenant's
 * X-Scope-OrgID), basic auth or a bearer token read from a file, and TLS with a private CA. Credentials are
 * read from their files on every request, as Prometheus does, so a rotated secret is picked up without a
 * restart; a file that cannot be read makes that request fail with a message naming the file.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tlsModule from 'node:tls';

export interface UpstreamAccess {
  /** sent with every request (e.g. X-Scope-OrgID for a multi-tenant Mimir/Cortex Alertmanager) */
  headers?: Record<string, string>;
  basicAuth?: { username: string; passwordFile: string };
  bearerTokenFile?: string;
  tls?: {
    /** PEM file with the CA(s) that signed the upstream's certificate (added to the system's) */
    caFile?: string;
    /** client certificate and key for mutual TLS */
    certFile?: string;
    keyFile?: string;
    /** the name the certificate must carry when it differs from the URL's host */
    serverName?: string;
    /** accept any certificate: for a lab only, never in production */
    insecureSkipVerify?: boolean;
  };
}

export interface Transport {
  /** the headers for one request (credentials freshly read) */
  headers(): Record<string, string>;
  /** the keep-alive agent for a URL's scheme */
  agent(url: URL): http.Agent;
  /** the secrets the headers carry, for the logger's mask (read now) */
  secrets(): string[];
}

/** A credential file's first line; throws an Error naming the file (the request then fails with it). */
export function readSecretFile(file: string, what: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${what} file ${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const value = text.split(/\r?\n/)[0].trim();
  if (!value) throw new Error(`${what} file ${file} is empty`);
  return value;
}

const agentOptions = { keepAlive: true, maxSockets: 16 };

/** No headers, the system's CAs: an upstream without configuration. */
export const plainTransport: Transport = (() => {
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  return {
    headers: () => ({}),
    agent: (url: URL) => (url.protocol === 'https:' ? httpsAgent : httpAgent),
    secrets: () => [],
  };
})();

// headers whose values are credentials and must never reach a log line
const SECRET_HEADER = /authorization|token|secret|key|cookie|password/i;

export function createTransport(access: UpstreamAccess | undefined): Transport {
  if (!access) return plainTransport;
  const tls = access.tls ?? {};
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent({
    ...agentOptions,
    ca: tls.caFile ? [...tlsModule.rootCertificates, fs.readFileSync(tls.caFile, 'utf8')] : undefined,
    cert: tls.certFile ? fs.readFileSync(tls.certFile, 'utf8') : undefined,
    key: tls.keyFile ? fs.readFileSync(tls.keyFile, 'utf8') : undefined,
    servername: tls.serverName,
    rejectUnauthorized: !tls.insecureSkipVerify,
  });
  const credentials = (): Record<string, string> => {
    if (access.basicAuth) {
      const password = readSecretFile(access.basicAuth.passwordFile, 'basicAuth.passwordFile');
      return { authorization: `Basic ${Buffer.from(`${access.basicAuth.username}:${password}`).toString('base64')}` };
    }
    if (access.bearerTokenFile) return { authorization: `Bearer ${readSecretFile(access.bearerTokenFile, 'bearerTokenFile')}` };
    return {};
  };
  return {
    headers: () => ({ ...(access.headers ?? {}), ...credentials() }),
    agent: (url) => (url.protocol === 'https:' ? httpsAgent : httpAgent),
    secrets() {
      const out = Object.entries(access.headers ?? {})
        .filter(([k]) => SECRET_HEADER.test(k))
        .map(([, v]) => v);
      try {
        if (access.basicAuth) out.push(readSecretFile(access.basicAuth.passwordFile, 'basicAuth.passwordFile'));
        if (access.bearerTokenFile) out.push(readSecretFile(access.bearerTokenFile, 'bearerTokenFile'));
      } catch {
        // an unreadable file has no secret to mask; the request that needs it reports the problem
      }
      return out;
    },
  };
}
