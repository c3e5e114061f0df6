/**
 * Summarises a V8 .cpuprofile (node --cpu-prof; VIGIL_BENCH_CPU_PROF in bench/replicas.bench.test.ts):
 * `node bench/fanout/cpuprofile-top.mjs FILE [N]` prints the N functions with the most self time;
 * `node bench/fanout/cpuprofile-top.mjs FILE N NAME` prints where NAME's self time was called from;
 * `node bench/fanout/cpuprofile-top.mjs FILE --buckets S` prints, per S seconds, the share of idle, of waiting for
 * PostgreSQL (pg-sync's `query`) and of the rest (JS and I/O).
 */
import fs from 'node:fs';

const [file, n = '20', name] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((x) => [x.id, x]));
if (n === '--buckets') {
  const span = Number(name) * 1e6;
  const rows = new Map();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    const fn = byId.get(p.samples[i]).callFrame.functionName;
    const r = rows.get(Math.floor(t / span)) ?? { idle: 0, pg: 0, rest: 0 };
    r[fn === '(idle)' ? 'idle' : fn === 'query' ? 'pg' : 'rest'] += dt;
    rows.set(Math.floor(t / span), r);
  }
  const pc = (x) => `${Math.round((100 * x) / span)}`.padStart(3);
  for (const [b, r] of rows) console.log(`${String((b * span) / 1e6).padStart(4)} s  idle ${pc(r.idle)} %  pg-wait ${pc(r.pg)} %  js/io ${pc(r.rest)} %`);
  process.exit(0);
}
const parent = new Map();
for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const label = (f) => `${f.functionName || '(anonymous)'} ${(f.url || '').split('/').slice(-2).join('/')}:${f.lineNumber}`;
const sums = new Map();
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  let id = p.samples[i];
  const dt = p.timeDeltas[i] ?? 0;
  total += dt;
  const f = byId.get(id).callFrame;
  let key = label(f);
  if (name) {
    if (f.functionName !== name) continue;
    const path = [];
    for (let k = 0; k < 6 && (id = parent.get(id)); k++) path.push(label(byId.get(id).callFrame).split(' ')[0]);
    key = path.join(' < ');
  }
  sums.set(key, (sums.get(key) ?? 0) + dt);
}
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
for (const [k, v] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(`${(v / 1e3).toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
