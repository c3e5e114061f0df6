#!/usr/bin/env node
/**
 * Draws docs/performance.svg: each figure that has a target, as a bar of measured ÷ target (for "higher is
 * better" figures, target ÷ measured), so 100 % is the line to stay under. Input: docs/performance.json.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const figs = JSON.parse(fs.readFileSync(path.join(root, 'docs/performance.json'), 'utf8')).filter((f) => f.target != null);
const W = 920, row = 30, top = 40, left = 370, barMax = 300, H = top + figs.length * row + 40;
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const scale = (r) => Math.min(r, 2) / 2 * barMax;
let out = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">\n`;
out += `<text x="10" y="20" font-size="14" font-weight="bold">Measured ÷ target (under 100 % = target met)</text>\n`;
figs.forEach((f, i) => {
  const y = top + i * row;
  const ratio = f.better === 'higher' ? f.target / f.value : f.value / f.target;
  const ok = ratio <= 1;
  out += `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(f.name)}</text>\n`;
  out += `<rect x="${left}" y="${y + 3}" width="${scale(ratio).toFixed(1)}" height="18" fill="${ok ? '#1f8f4e' : '#c53030'}"/>\n`;
  out += `<text x="${left + scale(ratio) + 6}" y="${y + 15}">${Math.round(ratio * 100)} % (${esc(f.value)} ${esc(f.unit)} vs ${f.better === 'higher' ? '≥' : '≤'} ${esc(f.target)})</text>\n`;
});
const x100 = left + scale(1);
out += `<line x1="${x100}" y1="${top - 5}" x2="${x100}" y2="${top + figs.length * row}" stroke="#333" stroke-dasharray="4 3"/>\n`;
out += `<text x="${x100}" y="${top + figs.length * row + 16}" text-anchor="middle">100 %</text>\n</svg>\n`;
fs.writeFileSync(path.join(root, 'docs/performance.svg'), out);
console.log(`docs/performance.svg: ${figs.length} figures`);
