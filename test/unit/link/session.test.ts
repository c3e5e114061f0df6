/**
 * Who is signed in at a console (src/main/core/link/session.ts) and what that means for queued actions
 * (sender.ts mayCarry, outbox.held): the platform's word is kept per target, also across a restart; a
 * refusal signs out; the shared token's name is the typed one; an action waits for the person who queued it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '@shared/domain';
import type { Identity } from '@shared/identity';
import { createOutbox } from '@core/link/outbox';
import { mayCarry } from '@core/link/sender';
import { createConsoleSession } from '@core/link/session';
import { silentLogger } from '@node/log';
import type { DB } from '@node/sqlite';
import { openCoreDatabase } from '@core/store/open';
import { tempDir } from '@test/helpers/tmp';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

const ZHANG: Identity = { login: 'zhangsan', name: '张三', role: 'responder', via: 'token' };
const LI: Identity = { login: 'lisi', name: '李四', role: 'viewer', via: 'proxy' };
const SHARED: Identity = { login: null, name: 'whatever the hello said', role: 'responder', via: 'shared' };

function setup() {
  const d = tempDir('vigil-session-');
  let db: DB = openCoreDatabase(`${d.dir}/vigil.db`);
  cleanups.push(() => (db.close(), d.cleanup()));
  let key: string | null = 'wss://platform.example/vigil';
  const settings: Settings = { ...DEFAULT_SETTINGS, operator: 'Typed Name' };
  let changes = 0;
  const make = () =>
    createConsoleSession({
      db,
      settings: () => settings,
      log: silentLogger,
      key: () => key,
      onChange: () => changes++,
    });
  return {
    session: make(),
    /** the console restarts on the same database */
    restart() {
      db.close();
      db = openCoreDatabase(`${d.dir}/vigil.db`);
      return make();
    },
    setKey: (k: string | null) => (key = k),
    changes: () => changes,
  };
}

describe('console session', () => {
  it('is signing in until the platform says who, then keeps that person for the target, across a restart', () => {
    const s = setup();
    expect(s.session.state()).toEqual({ state: 'signing_in', identity: null, reason: null });
    expect(s.session.me()).toBeNull();
    s.session.proven(ZHANG);
    expect(s.session.state()).toEqual({ state: 'signed_in', identity: ZHANG, reason: null });
    expect(s.session.me()).toEqual(ZHANG);
    expect(s.changes()).toBeGreaterThan(0);
    const again = s.restart();
    expect(again.me()).toEqual(ZHANG); // offline after a restart: still 张三
    // another platform: nobody proven there yet
    s.setKey('wss://other.example');
    expect(again.state().state).toBe('signing_in');
    s.setKey('wss://platform.example/vigil');
    expect(again.me()).toEqual(ZHANG);
  });

  it('signs out on a refusal, says why and who it was, and forgets on a new credential', () => {
    const s = setup();
    s.session.proven(LI);
    s.session.refused('revoked');
    expect(s.session.state()).toEqual({ state: 'signed_out', identity: LI, reason: 'revoked' });
    expect(s.session.me()).toBeNull();
    const later = s.restart();
    expect(later.me()).toBeNull(); // nothing kept for a revoked credential
    later.refused('signed_out');
    later.refused('missing'); // the reconnect after a sign-out finds no token: still "signed out"
    expect(later.state()).toMatchObject({ state: 'signed_out', reason: 'signed_out' });
    later.proven(ZHANG);
    expect(later.state()).toMatchObject({ state: 'signed_in', identity: ZHANG });
    later.forget();
    expect(later.state().state).toBe('signing_in');
  });

  it('takes the typed name with the shared token (or a gateway before identity), and with no platform at all', () => {
    const s = setup();
    s.session.proven(SHARED);
    expect(s.session.me()).toEqual({ login: null, name: 'Typed Name', role: 'responder', via: 'shared' });
    s.session.proven(null);
    expect(s.session.me()).toMatchObject({ name: 'Typed Name', via: 'shared' });
    s.setKey(null);
    expect(s.session.state().state).toBe('local');
    expect(s.session.me()).toEqual({ login: null, name: 'Typed Name', role: 'responder', via: 'local' });
  });
});

describe('queued actions wait for their person', () => {
  it('go only on a connection signed in as who queued them', () => {
    expect(mayCarry({ login: 'zhangsan', via: 'token' }, ZHANG)).toBe(true);
    expect(mayCarry({ login: 'zhangsan', via: 'token' }, { ...ZHANG, via: 'proxy' })).toBe(true);
    expect(mayCarry({ login: 'zhangsan', via: 'token' }, LI)).toBe(false);
    expect(mayCarry({ login: 'zhangsan', via: 'token' }, SHARED)).toBe(false);
    expect(mayCarry({ login: 'zhangsan', via: 'token' }, null)).toBe(false);
    expect(mayCarry({ login: null, via: 'shared' }, SHARED)).toBe(true);
    expect(mayCarry({ login: null, via: 'shared' }, ZHANG)).toBe(false);
    // rows from before identity, or queued with no platform: nobody to wait for
    expect(mayCarry({ login: null, via: null }, LI)).toBe(true);
    expect(mayCarry({ login: null, via: 'local' }, ZHANG)).toBe(true);
  });

  it('counts what is held for someone else, as the sender would', () => {
    const d = tempDir('vigil-held-');
    const db = openCoreDatabase(`${d.dir}/vigil.db`);
    cleanups.push(() => (db.close(), d.cleanup()));
    let t = 0;
    const ob = createOutbox(db, () => ++t);
    ob.submit('alert.ack', { fingerprint: 'a' }, '张三', { login: 'zhangsan', via: 'token' });
    ob.submit('alert.ack', { fingerprint: 'b' }, '张三', { login: 'zhangsan', via: 'token' });
    ob.submit('alert.ack', { fingerprint: 'c' }, 'Ops (shared token)', { login: null, via: 'shared' });
    ob.submit('alert.ack', { fingerprint: 'd' }, 'old', undefined);
    for (const who of [ZHANG, LI, SHARED, null]) {
      const expected = ob.unanswered().filter((e) => !mayCarry(e, who)).length;
      expect(ob.held(who), who?.login ?? who?.via ?? 'nobody').toBe(expected);
    }
    expect(ob.held(ZHANG)).toBe(1);
    expect(ob.held(null)).toBe(3);
  });
});
