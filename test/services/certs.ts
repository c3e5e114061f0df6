/**
 * Certificates for TLS tests, made by the real `openssl` (Debian's) in a temp dir: a CA, and server
 * certificates it signs for given host names — valid, expired, or from another CA the console does not
 * trust. EC P-256 keys, so making them is quick.
 *
 *   const pki = makePki();
 *   const ca = pki.ca('Vigil Test CA');
 *   const server = pki.server(ca, 'good', ['localhost', '127.0.0.1']);
 *   … startGateway({ tls: { cert: server.cert, key: server.key } }) … caFile: ca.certFile …
 *   pki.remove();
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from './common';

export interface Ca {
  certFile: string;
  keyFile: string;
}
export interface ServerCert {
  cert: Buffer;
  key: Buffer;
  certFile: string;
}

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makePki() {
  const tmp = makeTempDir('vigil-pki-');
  const dir = tmp.dir;
  return {
    dir,
    ca(name: string): Ca {
      const slug = name.replace(/\W+/g, '-');
      const keyFile = path.join(dir, `${slug}.key`);
      const certFile = path.join(dir, `${slug}.crt`);
      openssl(dir, 'req', '-x509', ...EC, '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', `/CN=${name}`);
      return { certFile, keyFile };
    },
    /** a server certificate signed by `ca` for `names` (DNS names or IP addresses); `expired`: its validity ended yesterday */
    server(ca: Ca, name: string, names: string[], o: { expired?: boolean } = {}): ServerCert {
      const key = path.join(dir, `${name}.key`);
      const csr = path.join(dir, `${name}.csr`);
      const crt = path.join(dir, `${name}.crt`);
      const ext = path.join(dir, `${name}.ext`);
      const san = names.map((n) => (net.isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
      fs.writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
      openssl(dir, 'req', '-new', ...EC, '-keyout', key, '-out', csr, '-subj', `/CN=${names[0]}`);
      // -days -1 puts notAfter a day before notBefore (now): a certificate that has expired
      const days = o.expired ? '-1' : '30';
      openssl(
        dir,
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        ca.certFile,
        '-CAkey',
        ca.keyFile,
        '-CAcreateserial',
        '-out',
        crt,
        '-days',
        days,
        '-extfile',
        ext,
      );
      return { cert: fs.readFileSync(crt), key: fs.readFileSync(key), certFile: crt };
    },
    remove: () => tmp.remove(),
  };
}
