/**
 * A seeded, corpus-driven frame mutator. It starts from valid protocol frames and breaks them the ways a
 * buggy or hostile peer would: structurally (a field removed, retyped, replaced by an odd value, a
 * prototype key added, the frame type swapped), textually (truncated JSON, a flipped character, junk
 * spliced in), or wholesale (binary frames, empty text, deep nesting, huge strings, bare JSON values).
 * Some frames go out unchanged, so the valid paths (storing, answering) run between the broken ones.
 *
 * One seed always yields the same frames: a failure is reproduced with FUZZ_SEED=<seed> and the frame
 * index printed by the test. fast-check supplies the pool of odd JSON values (also seeded).
 */
import fc from 'fast-check';
import { seededRandom } from '@gateway/sources/demo-model';

export type Rng = () => number;

export interface FuzzFrame {
  /** text frames are strings; a Buffer goes out as a binary frame */
  payload: string | Buffer;
  /** which operator produced it (printed in the counts) */
  op: string;
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** values that are individually legal JSON but wrong almost anywhere */
const HAND_PICKED: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  -0,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  '0',
  'null',
  'undefined',
  'NaN',
  '\u0000',
  '\u202e\u2066evil\u2069',
  '\u200b\u200c\u200d\ufeff',
  '\ud800',
  '<script>window.__pwned=1</script>',
  '{{constructor.constructor("return 1")()}}',
  '${process.exit(1)}',
  'x'.repeat(70_000),
  [],
  {},
  [[[[[]]]]],
  JSON.parse('{"__proto__":{"polluted":true}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
  { toString: 1, valueOf: 'x' },
  '2026-01-05T09:00:00Z',
  'ws://127.0.0.1:1/',
  'javascript:alert(1)',
];

export function createMutator(seed: number) {
  const rng: Rng = seededRandom(seed);
  const int = (n: number) => Math.floor(rng() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => rng() < p;

  const oddPool: unknown[] = [
    ...HAND_PICKED,
    ...fc.sample(fc.jsonValue({ maxDepth: 3 }), { seed, numRuns: 400 }),
    ...fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { seed: seed + 1, numRuns: 200 }),
    ...fc.sample(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), {
      seed: seed + 2,
      numRuns: 100,
    }),
  ];
  const odd = (): unknown => structuredClone(pick(oddPool));

  /** every [container, key] pair in a JSON value, so a mutation can land at any depth */
  function slots(root: unknown): [Record<string, unknown> | unknown[], string | number][] {
    const out: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (v: unknown, depth: number) => {
      if (depth > 8 || !v || typeof v !== 'object') return;
      if (Array.isArray(v))
        v.forEach((x, i) => {
          out.push([v, i]);
          walk(x, depth + 1);
        });
      else
        for (const k of Object.keys(v)) {
          out.push([v as Record<string, unknown>, k]);
          walk((v as Record<string, unknown>)[k], depth + 1);
        }
    };
    walk(root, 0);
    return out;
  }

  /** One structural change somewhere in a deep copy of `frame`. */
  function structural(frame: Record<string, unknown>, types: readonly string[]): { value: unknown; op: string } {
    const v = structuredClone(frame);
    const all = slots(v);
    const r = rng();
    if (r < 0.08) {
      v.type = chance(0.5) ? pick(types) : odd();
      return { value: v, op: 'retype' };
    }
    if (r < 0.12) {
      // an own property named __proto__ survives JSON.parse; it must not reach any prototype
      const target = all.length && chance(0.7) ? all[int(all.length)][0] : v;
      if (!Array.isArray(target))
        Object.defineProperty(target, pick(PROTO_KEYS), {
          value: odd(),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      return { value: v, op: 'proto_key' };
    }
    if (!all.length) return { value: odd(), op: 'replace_root' };
    const [box, key] = all[int(all.length)];
    if (r < 0.35) {
      if (Array.isArray(box)) box.splice(key as number, 1);
      else delete box[key as string];
      return { value: v, op: 'delete' };
    }
    if (r < 0.75) {
      (box as Record<string | number, unknown>)[key] = odd();
      return { value: v, op: 'replace' };
    }
    if (r < 0.85) {
      const cur = (box as Record<string | number, unknown>)[key];
      (box as Record<string | number, unknown>)[key] =
        typeof cur === 'number'
          ? String(cur)
          : typeof cur === 'string'
            ? Number(cur) || cur.length
            : Array.isArray(cur)
              ? Object.assign({}, cur)
              : [cur];
      return { value: v, op: 'coerce' };
    }
    if (r < 0.93) {
      if (Array.isArray(box)) box.push(odd());
      else box[`x_${int(1000)}`] = odd();
      return { value: v, op: 'extra' };
    }
    const cur = (box as Record<string | number, unknown>)[key];
    (box as Record<string | number, unknown>)[key] =
      typeof cur === 'string' ? cur.repeat(2 + int(50)) : Array.isArray(cur) ? [...cur, ...cur, ...cur] : cur;
    return { value: v, op: 'grow' };
  }

  /** One change to the JSON text itself; most results are no longer JSON. */
  function textual(text: string): { text: string; op: string } {
    const at = int(text.length + 1);
    const r = rng();
    if (r < 0.3) return { text: text.slice(0, at), op: 'truncate' };
    if (r < 0.55) {
      const junk = pick([
        '"',
        '\\',
        '{',
        '}',
        '[',
        ']',
        ',',
        ':',
        '\u0000',
        '\ud83d',
        'NaN',
        'undefined',
        '\n',
        '/*',
        'Infinity',
      ]);
      return { text: text.slice(0, at) + junk + text.slice(at + (chance(0.5) ? 1 : 0)), op: 'splice' };
    }
    if (r < 0.7) return { text: text + text, op: 'doubled' };
    if (r < 0.8) return { text: `[${text}]`, op: 'wrapped' };
    if (r < 0.9)
      return { text: text.replace(/"([a-zA-Z]+)":/, (_m, k: string) => `"${k.toUpperCase()}":`), op: 'renamed' };
    return { text: ` \t\r\n${text}\n `, op: 'whitespace' };
  }

  function wholesale(): FuzzFrame {
    const r = rng();
    if (r < 0.2) return { payload: Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))), op: 'binary' };
    if (r < 0.3) return { payload: '', op: 'empty' };
    if (r < 0.5) return { payload: JSON.stringify(odd()) ?? 'null', op: 'bare_value' };
    if (r < 0.6) {
      const depth = 1000 + int(20_000);
      return { payload: '['.repeat(depth) + ']'.repeat(depth), op: 'deep_array' };
    }
    if (r < 0.7) {
      const depth = 500 + int(5000);
      return {
        payload: '{"type":"event","data":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + '}',
        op: 'deep_object',
      };
    }
    if (r < 0.8) return { payload: `{"type":"${'t'.repeat(1 + int(300))}"}`, op: 'long_type' };
    if (r < 0.9) return { payload: '{"type":"event","type":"ping","t":1}', op: 'duplicate_key' };
    return { payload: '\ufeff{"type":"ping","t":1}', op: 'bom' };
  }

  return {
    rng,
    int,
    pick,
    chance,
    odd,
    /**
     * A frame derived from `valid`: unchanged with probability `keepValid`, otherwise broken by one of the
     * operators above. `types` are the frame types the receiver knows (for retyping).
     */
    frame(valid: Record<string, unknown>, types: readonly string[], keepValid = 0.3): FuzzFrame {
      const r = rng();
      if (r < keepValid) return { payload: JSON.stringify(valid), op: 'valid' };
      if (r < keepValid + (1 - keepValid) * 0.6) {
        const s = structural(valid, types);
        return { payload: JSON.stringify(s.value) ?? 'null', op: s.op };
      }
      if (r < keepValid + (1 - keepValid) * 0.92) {
        const t = textual(JSON.stringify(valid));
        return { payload: t.text, op: t.op };
      }
      return wholesale();
    },
  };
}
export type Mutator = ReturnType<typeof createMutator>;

/** Seed and frame count from the environment, with the defaults CI uses. */
export function fuzzSettings(defaultFrames: number): { seed: number; frames: number } {
  const seed = Number(process.env.FUZZ_SEED ?? 20260105);
  const frames = Number(process.env.FUZZ_FRAMES ?? defaultFrames);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got "${process.env.FUZZ_SEED}"`);
  if (!Number.isInteger(frames) || frames < 1)
    throw new Error(`FUZZ_FRAMES must be a positive integer, got "${process.env.FUZZ_FRAMES}"`);
  return { seed, frames };
}

/** Counts by key, for the printed summary. */
export function tally(): { add(k: string): void; get(): Record<string, number> } {
  const m: Record<string, number> = {};
  return { add: (k) => void (m[k] = (m[k] ?? 0) + 1), get: () => ({ ...m }) };
}
