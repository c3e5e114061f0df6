/**
 * The built browser host (out/main/host.js, as users run it) against a generated corpus of hostile
 * requests: malformed request targets (broken percent-escapes, invalid UTF-8, raw control bytes, overlong,
 * absolute-form, traversal) and WebSocket frames before and after the secret (over the size limit, binary,
 * invalid UTF-8, torn, reserved opcodes, unmasked, floods). A web page on any site can send the GETs
 * (`<img src="http://127.0.0.1:PORT/%">`), so each must be a 4xx; each frame must end in a close code or
 * an answer; and afterwards the host still serves the page and answers the real page's RPC.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '@test/helpers/tmp';
import { frameRecipes, malformedTargets, rawRequest, runRecipe, SEED, type FrameOutcome } from '@test/helpers/hostile';
import { hostRpc, startHostProc, type HostProc } from '@test/chaos/procs';

const SECRET = randomBytes(18).toString('base64url');
/** close codes that say why: bad frame / bad secret (ours), 1009 too large, 1007 invalid UTF-8, 1002 protocol error, 1008 policy */
const CLOSE_CODES = [4400, 4401, 1009, 1007, 1002, 1008];
/** recipes that end the socket themselves: nothing to wait for but the host staying up */
const SELF_ENDING = /^torn /;

let dir: { dir: string; cleanup(): void };
let host: HostProc;

// each class gets a host of its own, so a crash in one cannot hide (or cause) the result of another
beforeEach(async () => {
  dir = tempDir('vigil-host-hostile-');
  host = await startHostProc({ dataDir: dir.dir, secret: SECRET, platform: 'ws://127.0.0.1:9', token: 'unused-token-0123456789' });
}, 180_000);
afterEach(async () => {
  await host?.stop();
  dir?.cleanup();
});

async function stillServing(after: string): Promise<void> {
  expect(host.child.exitCode, `the host exited after ${after}`).toBeNull();
  expect((await rawRequest(host.port, '/')).status, `GET / after ${after}`).toBe(200);
  const rpc = await hostRpc(host.origin, SECRET);
  try {
    expect(await rpc.call<{ name: string }>('appInfo'), `appInfo after ${after}`).toMatchObject({ name: 'Vigil' });
  } finally {
    rpc.close();
  }
}

describe(`the browser host under hostile requests (seed ${SEED})`, () => {
  it('answers every malformed request target with a 4xx and keeps serving', async () => {
    const targets = malformedTargets(300);
    const answers: { target: string; status: number | null }[] = [];
    for (const [i, target] of targets.entries()) {
      answers.push({ target, status: (await rawRequest(host.port, target)).status });
      if (i % 100 === 99) await stillServing(`${i + 1} targets`);
    }
    const wrong = answers.filter((a) => a.status === null || a.status >= 500 || (a.status >= 200 && a.status < 400 && a.status !== 200));
    expect(wrong.map((a) => `${JSON.stringify(a.target.slice(0, 80))} → ${a.status}`)).toEqual([]);
    // the broken ones are refused as such, not "not found"
    for (const t of ['/%', '/%C3%28', '/%ED%A0%80', '/a%00b', '/\x01', '/\xff'])
      expect((await rawRequest(host.port, t)).status, t).toBe(400);
    expect((await rawRequest(host.port, `/${'a'.repeat(5000)}`)).status).toBe(414);
    console.log(JSON.stringify({ suite: 'host-hostile', targets: targets.length, byStatus: count(answers.map((a) => String(a.status))) }));
    await stillServing('the whole target corpus');
  });

  it('answers every hostile frame before the secret with a close code, and keeps serving', async () => {
    const outcomes = await runAll('pre-auth', async () => {});
    for (const o of outcomes.filter((x) => !SELF_ENDING.test(x.name))) {
      expect(o.closeCode, `${o.name}: ${JSON.stringify(o)}`).not.toBeNull();
      expect(CLOSE_CODES, o.name).toContain(o.closeCode);
      expect(o.frames, `${o.name}: no data before the secret`).toEqual([]);
    }
    await stillServing('the pre-auth frame corpus');
  });

  it('answers every hostile frame after the secret with a close code or answers, and keeps serving', async () => {
    const outcomes = await runAll('post-auth', async (ws, next) => {
      ws.send(JSON.stringify({ type: 'auth', secret: SECRET }));
      expect(await next()).toBe('{"type":"ready"}');
    });
    for (const o of outcomes.filter((x) => !SELF_ENDING.test(x.name))) {
      const what = `${o.name}: ${JSON.stringify({ ...o, frames: o.frames.slice(0, 2) })}`;
      if (o.closeCode !== null) expect(CLOSE_CODES, what).toContain(o.closeCode);
      // a request the host can read is answered (a result, or an error envelope for bad arguments)
      else expect(o.frames.some((f) => /"result":\{"ok":(true|false)/.test(f)), what).toBe(true);
    }
    await stillServing('the post-auth frame corpus');
  });
});

let nextId = 1;
async function runAll(phase: string, before: Parameters<typeof runRecipe>[3]): Promise<FrameOutcome[]> {
  const recipes = frameRecipes({
    overLimitBytes: 1024 * 1024 + 1,
    validFrame: () => JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'appInfo', params: [] }),
  });
  const outcomes: FrameOutcome[] = [];
  for (const r of recipes) {
    outcomes.push(await runRecipe(`${host.origin.replace('http', 'ws')}/rpc`, { headers: { Origin: host.origin } }, r, before));
    expect(host.child.exitCode, `the host exited on "${r.name}" (${phase})`).toBeNull();
  }
  console.log(JSON.stringify({ suite: 'host-hostile', phase, recipes: outcomes.length, byClose: count(outcomes.map((o) => String(o.closeCode))) }));
  return outcomes;
}

function count(xs: string[]): Record<string, number> {
  return xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
}
