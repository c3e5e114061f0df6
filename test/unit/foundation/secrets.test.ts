import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSecretStore, readSecretFile, writeSecretFile } from '@core/secrets';
import { tempDir } from '@test/helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const dir = () => {
  const t = tempDir('vigil-secrets-');
  cleanups.push(t.cleanup);
  return t.dir;
};

describe('the secrets file both secret stores keep (plain here, safeStorage-encrypted in the shell)', () => {
  it('reads a missing, damaged or non-object file as empty', () => {
    const d = dir();
    const file = path.join(d, 'secrets.json');
    expect(readSecretFile(file)).toEqual({});
    for (const text of ['{"a":', '[1,2]', 'null', '"x"', '']) {
      fs.writeFileSync(file, text);
      expect(readSecretFile(file)).toEqual({});
    }
  });

  it('writes 0600 into a folder it creates, leaving no temporary file', () => {
    const d = path.join(dir(), 'nested');
    const file = path.join(d, 'secrets.enc.json');
    writeSecretFile(file, { platformToken: 'abc' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readSecretFile(file)).toEqual({ platformToken: 'abc' });
    expect(fs.readdirSync(d)).toEqual(['secrets.enc.json']);
  });

  it('FileSecretStore sets, replaces and removes one secret without touching the others', async () => {
    const s = new FileSecretStore(dir());
    await s.set('a', '1');
    await s.set('b', '2');
    await s.set('a', '3');
    expect([await s.get('a'), await s.get('b')]).toEqual(['3', '2']);
    await s.set('a', null);
    expect([await s.get('a'), await s.get('b')]).toEqual([null, '2']);
  });
});
