import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelOf, eventChannelOf, eventNames, methodNames, methods, parseArgs } from '@shared/api';
import { buildApi } from '@shared/bridge';
import { ApiError } from '@shared/rpc';

describe('the contract', () => {
  it('derives one distinct channel per method and per event', () => {
    const channels = methodNames.map(channelOf);
    expect(new Set(channels).size).toBe(methodNames.length);
    expect(channelOf('settingsSet')).toBe('vigil:call:settingsSet');
    expect(eventChannelOf('linkState')).toBe('vigil:event:linkState');
    expect(eventNames).toContain('settingsChanged');
  });

  it('accepts valid arguments and returns them parsed', () => {
    expect(parseArgs('settingsSet', [{ language: 'zh-CN' }])).toEqual([{ language: 'zh-CN' }]);
    expect(parseArgs('appInfo', [])).toEqual([]);
  });

  it.each([
    ['settingsSet', [{ language: 'klingon' }], /settingsSet: argument 0\.language/],
    ['settingsSet', [{ notifyRepeatMinutes: -1 }], /notifyRepeatMinutes/],
    ['settingsSet', [{ quietHours: { enabled: true, start: '25:00', end: '07:00' } }], /HH:MM/],
    ['settingsSet', [{ platformUrl: 'http://x.example' }], /ws:\/\/ or wss:\/\//],
    ['settingsSet', [{ unknownKey: 1 }], /unrecognized key|unknownKey/i],
    ['settingsSet', [], /settingsSet/],
    ['settingsSet', 'not a list', /arguments must be a list/],
    ['runbookPage', [''], /runbookPage: argument 0/],
    ['runbookPage', [42], /runbookPage: argument 0/],
    ['appInfo', ['extra'], /appInfo/],
  ] as const)('rejects %s(%j) with a clear message', (name, args, message) => {
    let err: unknown;
    try {
      parseArgs(name, args);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('bad_arguments');
    expect((err as ApiError).message).toMatch(message);
  });

  it('builds window.vigil with exactly the contract methods and a typed error on failure', async () => {
    const calls: [string, unknown[]][] = [];
    const api = buildApi({
      call: async (name, args) => {
        calls.push([name, args]);
        return name === 'appInfo' ? { ok: false, error: { code: 'nope', message: 'refused' } } : { ok: true, value: 7 };
      },
      subscribe: () => () => {},
    });
    expect(Object.keys(api).sort()).toEqual([...methodNames, 'on'].sort());
    expect(Object.isFrozen(api)).toBe(true);
    await expect(api.freshness()).resolves.toBe(7);
    await expect(api.appInfo()).rejects.toMatchObject({ code: 'nope', message: 'refused' });
    expect(() => api.on('noSuchEvent' as never, () => {})).toThrow(/No such event/);
    expect(calls[0]).toEqual(['freshness', []]);
  });

  it('every method declares a zod tuple for its arguments', () => {
    for (const [name, spec] of Object.entries(methods)) expect(spec.args.def.type, name).toBe('tuple');
  });
});

describe('process boundaries', () => {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
  it('nothing under core/, host/, gateway/ or shared/ imports electron', () => {
    const offenders = ['src/main/core', 'src/main/host', 'src/gateway', 'src/shared']
      .flatMap((d) => walk(d))
      .filter((f) => /\.(ts|tsx)$/.test(f))
      .filter((f) => /from ['"]electron['"]|require\(['"]electron['"]\)/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
  it('the renderer imports no main-process, Node or Electron code', () => {
    const offenders = walk('src/renderer/src')
      .filter((f) => /\.(ts|tsx)$/.test(f))
      .filter((f) => /from ['"](?:[./]*\/main\/|[./]*\/gateway\/|node:|electron['"])/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
