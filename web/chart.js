// Bar charts drawn by Chart.js (its browser build served from node_modules at /vendor/chart.js),
// each with a text alternative and the data as a table.
import { fmtNum, h, table } from './ui.js';

let loading = null;

/** Loads Chart.js once (a classic script: its UMD build defines window.Chart). */
export function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  loading ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/vendor/chart.js';
    s.onload = () => resolve(window.Chart);
    s.onerror = () => reject(new Error('Le module de graphiques n’a pas pu être chargé.'));
    document.head.append(s);
  });
  return loading;
}

const css = (name, fallback) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * A bar chart of `points` ([label, value]…) in a figure: full labels (wrapped, never cut), values in
 * French, the same numbers in a table under a disclosure.
 */
export async function barChart(points, title, { digits = 2, id } = {}) {
  const figure = h('figure', { class: 'fr-mb-3w gc-figure', ...(id ? { id } : {}) });
  if (!points.length) {
    figure.append(h('p', {}, 'Aucune donnée sur la période.'));
    return figure;
  }
  const Chart = await loadChart();
  const canvas = h('canvas', {
    role: 'img',
    'aria-label': `${title} : ${points.map(([l, v]) => `${l} ${fmtNum(v, digits)}`).join(', ')}`,
  });
  const box = h('div', { class: 'gc-chart-box' }, canvas);
  figure.append(
    box,
    h('figcaption', { class: 'fr-text--xs' }, title),
    h(
      'details',
      { class: 'fr-mt-1w' },
      h('summary', {}, `Données du graphique « ${title} »`),
      table(
        title,
        ['Libellé', 'Valeur'],
        points.map(([l, v]) => [String(l), fmtNum(v, digits)]),
      ),
    ),
  );
  const color = css('--background-action-high-blue-france', '#000091');
  const text = css('--text-default-grey', '#3a3a3a');
  const grid = css('--border-default-grey', '#dddddd');
  // Created once the canvas is in the page (Chart.js measures its box).
  queueMicrotask(() => {
    const chart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels: points.map(([l]) => (String(l).length > 18 ? splitLabel(String(l)) : String(l))),
        datasets: [{ label: title, data: points.map(([, v]) => v), backgroundColor: color }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: 'fr-FR',
        plugins: { legend: { display: false }, tooltip: { enabled: true } },
        scales: {
          x: { ticks: { color: text, autoSkip: false, maxRotation: 0 }, grid: { display: false } },
          y: {
            beginAtZero: true,
            ticks: { color: text, precision: digits ? undefined : 0 },
            grid: { color: grid },
          },
        },
      },
    });
    canvas.dataset.ready = '1';
    canvas.chart = chart;
  });
  return figure;
}

/** A long label on several lines (Chart.js draws an array as lines). */
function splitLabel(label) {
  const words = label.split(/\s+/);
  const lines = [];
  let line = '';
  for (const w of words) {
    if (line && (line + ' ' + w).length > 18) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}
