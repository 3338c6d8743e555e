// A plain SVG bar chart (no chart library): labels under the bars, values above.
import { fmtNum } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs, text) => {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
};

export function barChart(points, title) {
  const figure = document.createElement('figure');
  figure.className = 'fr-mb-3w';
  if (!points.length) {
    figure.textContent = 'Aucune donnée sur la période.';
    return figure;
  }
  const w = Math.max(320, points.length * 44 + 40);
  const hgt = 200;
  const max = Math.max(...points.map((p) => p[1]), 1);
  const root = svg('svg', {
    viewBox: `0 0 ${w} ${hgt + 40}`,
    class: 'gc-chart',
    role: 'img',
    'aria-label': `${title} : ${points.map(([l, v]) => `${l} ${fmtNum(v, 3)}`).join(', ')}`,
  });
  points.forEach(([label, value], i) => {
    const bh = Math.round((value / max) * (hgt - 20));
    const x = 30 + i * 44;
    root.append(
      svg('rect', {
        x,
        y: hgt - bh,
        width: 30,
        height: bh,
        fill: 'var(--background-action-high-blue-france)',
      }),
    );
    root.append(svg('text', { x: x + 15, y: hgt - bh - 4, 'text-anchor': 'middle' }, fmtNum(value, 2)));
    root.append(svg('text', { x: x + 15, y: hgt + 14, 'text-anchor': 'middle' }, String(label).slice(0, 8)));
  });
  const cap = document.createElement('figcaption');
  cap.className = 'fr-text--xs';
  cap.textContent = title;
  figure.append(root, cap);
  return figure;
}
