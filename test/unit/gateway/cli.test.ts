/**
 * The gateway's command line (src/gateway/cli.ts parseCli): how people sign in (personal tokens by default,
 * the shared token only when given, the SSO proxy with its addresses and group roles), TLS, and the refusals
 * that say what to fix.
 */
import { describe, expect, it } from 'vitest';
import { parseCli, type CliConfig } from '@gateway/cli';

const parse = (...args: string[]) => parseCli(['--port', '0', ...args], {}) as CliConfig;

describe('gateway command line: who may connect', () => {
  it('runs with personal tokens by default, and adds the shared token only when given', () => {
    expect(parse()).toMatchObject({ token: null, personalTokens: true, trustedHeader: null, tls: null });
    expect(parse('--token', 'team-token-123')).toMatchObject({ token: 'team-token-123', personalTokens: true });
    expect(parseCli(['--port', '0'], { VIGIL_GATEWAY_TOKEN: 'from-the-env-123' })).toMatchObject({
      token: 'from-the-env-123',
    });
    expect(() => parse('--token', 'short')).toThrow(/at least 8 characters/);
  });

  it('takes the SSO proxy mode with its addresses and group roles', () => {
    const c = parse(
      '--auth',
      'token,trusted-header',
      '--trusted-proxy',
      '10.0.0.0/8',
      '--trusted-proxy',
      '127.0.0.1',
      '--group-role',
      'sre=admin',
      '--group-role',
      'on call=responder',
      '--default-role',
      'none',
    );
    expect(c).toMatchObject({
      personalTokens: true,
      trustedHeader: {
        proxies: ['10.0.0.0/8', '127.0.0.1'],
        groupRoles: { sre: 'admin', 'on call': 'responder' },
        defaultRole: null,
      },
    });
    expect(parse('--auth', 'trusted-header', '--trusted-proxy', '127.0.0.1/32')).toMatchObject({
      personalTokens: false,
      trustedHeader: { defaultRole: 'viewer', groupRoles: {} },
    });
  });

  it('refuses what cannot work, saying what to fix', () => {
    expect(() => parse('--auth', 'password')).toThrow(/--auth takes token, trusted-header or both/);
    expect(() => parse('--auth', 'trusted-header')).toThrow(/needs --trusted-proxy/);
    expect(() => parse('--auth', 'trusted-header', '--trusted-proxy', 'proxy.example')).toThrow(
      /--trusted-proxy takes addresses or CIDRs/,
    );
    expect(() => parse('--trusted-proxy', '127.0.0.1/32')).toThrow(/need --auth trusted-header/);
    expect(() => parse('--auth', 'trusted-header', '--trusted-proxy', '127.0.0.1', '--group-role', 'sre')).toThrow(
      /GROUP=viewer\|responder\|admin/,
    );
    expect(() => parse('--auth', 'trusted-header', '--trusted-proxy', '127.0.0.1', '--group-role', 'sre=root')).toThrow(
      /--group-role/,
    );
    expect(() => parse('--auth', 'trusted-header', '--trusted-proxy', '127.0.0.1', '--default-role', 'boss')).toThrow(
      /--default-role/,
    );
    expect(() => parse('--tls-cert', 'cert.pem')).toThrow(/--tls-cert and --tls-key go together/);
    expect(parse('--tls-cert', 'c.pem', '--tls-key', 'k.pem')).toMatchObject({
      tls: { certFile: 'c.pem', keyFile: 'k.pem' },
    });
  });
});
