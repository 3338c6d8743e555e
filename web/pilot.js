// The admin console's "Pilote" section: per ISO week, questions asked, share refused ("aucune
// source"), share of negative feedback and its tags, sources cited most, stale sources cited, the
// refused questions (pseudonymised); filtered by service, exported as CSV, two periods compared.
import { api, can } from './api.js';
import { alertBox, confirmButton, field, fieldset, fmtNum, h, select, table } from './ui.js';
import { barChart } from './chart.js';

const pct = (x) => `${fmtNum(x * 100, 1)} %`;
const day = (d) => d.toISOString().slice(0, 10);
const frDay = (iso) => (iso ? iso.split('-').reverse().join('/') : '');

/** A person reads the week by its Monday: « Semaine 47 (du 16/11/2026) ». */
const weekLabel = (w) => `Semaine ${Number(w.week.split('-W')[1])} (du ${frDay(w.start)})`;

function period(label, from, to, prefix) {
  const f = field(`${label} : du`, { type: 'date', value: from, id: `${prefix}-from`, required: true });
  const t = field('au', { type: 'date', value: to, id: `${prefix}-to`, required: true });
  return { groups: [f.group, t.group], from: f.input, to: t.input };
}

function weeksTable(report) {
  return h(
    'div',
    { id: 'pilot-weeks' },
    table(
      'Chiffres par semaine',
      [
        'Semaine',
        'Questions',
        'Refusées (aucune source)',
        'Part refusée',
        'Avis négatifs',
        'Part d’avis négatifs',
        'Citations de sources anciennes',
      ],
      [...report.weeks, { week: 'total', start: null, ...report.totals }].map((w) => [
        w.week === 'total' ? 'Total de la période' : weekLabel(w),
        fmtNum(w.questions),
        fmtNum(w.refused),
        pct(w.refused_share),
        fmtNum(w.negative),
        pct(w.negative_share),
        fmtNum(w.stale_citations),
      ]),
    ),
  );
}

/** The period's lists: tags, sources, stale sources, unanswered questions. */
function periodLists(t, months) {
  const list = (id, title, headers, rows) =>
    h('div', { id }, h('h3', { class: 'fr-h5' }, title), table(title, headers, rows));
  return [
    list(
      'pilot-tags',
      'Étiquettes des avis négatifs',
      ['Étiquette', 'Réponses'],
      t.negative_tags.map((x) => [x.tag, fmtNum(x.count)]),
    ),
    list(
      'pilot-sources',
      'Sources les plus citées',
      ['Source', 'Citations'],
      t.top_sources.map((s) => [
        s.url
          ? h(
              'a',
              { href: s.url, target: '_blank', rel: 'noopener', title: `${s.title} (nouvelle fenêtre)` },
              s.title,
            )
          : s.title,
        fmtNum(s.count),
      ]),
    ),
    list(
      'pilot-stale',
      `Sources anciennes citées (datées de plus de ${months} mois)`,
      ['Source', 'Date', 'Citations'],
      t.stale_sources.map((s) => [s.title, frDay(s.date), fmtNum(s.count)]),
    ),
    list(
      'pilot-unanswered',
      'Questions restées sans réponse (données personnelles masquées)',
      ['Question', 'Fois posée'],
      t.unanswered.map((q) => [q.question, fmtNum(q.count)]),
    ),
  ];
}

const COMPARED = [
  ['questions', 'Questions', fmtNum],
  ['refused', 'Refusées (aucune source)', fmtNum],
  ['refused_share', 'Part refusée', pct],
  ['negative', 'Avis négatifs', fmtNum],
  ['negative_share', 'Part d’avis négatifs', pct],
  ['stale_citations', 'Citations de sources anciennes', fmtNum],
];

function signed(x, format) {
  const s = format(Math.abs(x));
  return x > 0 ? `+${s}` : x < 0 ? `−${s}` : s;
}

async function pilotFlag(box, since) {
  if (!can('users:manage')) return;
  const when = field('Début du pilote', { type: 'date', value: since ?? day(new Date()), id: 'pilot-since' });
  const form = h(
    'form',
    {},
    fieldset(
      'Mode pilote de l’organisation',
      [when.group],
      since ? 'Changer la date' : 'Démarrer le pilote',
      { inline: true },
    ),
  );
  const stop = since
    ? h(
        'button',
        { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--sm', id: 'pilot-stop' },
        'Sortir du mode pilote',
      )
    : null;
  const save = async (value) => {
    try {
      await api('/v1/admin/pilot', { method: 'PUT', body: { since: value } });
      box.dispatchEvent(new Event('pilot-changed'));
    } catch (e) {
      form.append(alertBox('error', null, e.message));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void save(when.input.value);
  });
  stop?.addEventListener('click', () => void save(null));
  box.append(h('details', { class: 'fr-mb-3w' }, h('summary', {}, 'Régler le mode pilote'), form, stop));
}

/** Forms that run `action` on submit, then reload the section; a failure shows in `zone`. */
function form(id, legend, groups, label, action, zone) {
  const f = h('form', { id }, fieldset(legend, groups, label, { inline: true }));
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await action();
    } catch (err) {
      zone.replaceChildren(alertBox('error', null, err.message));
    }
  });
  return f;
}

/** Whether the services panel was left open (it stays so when the section is drawn again). */
let panelOpen = false;

/** Services of the organisation and the people attached to them (administrators). */
async function manageServices(box, services, reload) {
  if (!can('users:manage')) return;
  const people = (await api('/v1/users')).data;
  const zone = h('div', { 'aria-live': 'polite' });
  const count = (id) => people.filter((p) => p.service_id === id).length;
  const options = (none) => [...(none ? [['', none]] : []), ...services.map((s) => [s.id, s.name])];
  const name = field('Nom du service', { id: 'service-name', required: true, maxlength: 100 });
  const since = field('En pilote depuis (facultatif)', { type: 'date', id: 'service-pilot' });
  const which = select('Service', options(null), { id: 'service-edit' });
  const rename = field('Nouveau nom (facultatif)', { id: 'service-rename', maxlength: 100 });
  const pilot = field('En pilote depuis (vide : hors pilote)', { type: 'date', id: 'service-edit-pilot' });
  // The chosen service's pilot date is shown, so that renaming it keeps its pilot.
  const showPilot = () =>
    (pilot.input.value = services.find((x) => x.id === which.input.value)?.pilot_since ?? '');
  which.input.addEventListener('change', showPilot);
  showPilot();
  const person = select(
    'Personne',
    people.map((p) => [p.id, p.name && p.name !== p.email ? `${p.name} (${p.email})` : p.email]),
    { id: 'service-person' },
  );
  const target = select('Service', options('Aucun service'), { id: 'service-target' });
  const panel = h(
    'details',
    { class: 'fr-mb-3w', id: 'services-panel', ...(panelOpen ? { open: '' } : {}) },
    h('summary', {}, 'Gérer les services et leurs personnes'),
    table(
      'Services de l’organisation',
      ['Service', 'Personnes', 'En pilote depuis', 'Action'],
      services.map((s) => [
        s.name,
        fmtNum(count(s.id)),
        s.pilot_since ? frDay(s.pilot_since) : '—',
        confirmButton(
          'Supprimer',
          { class: 'fr-btn fr-btn--tertiary fr-btn--sm', 'aria-label': `Supprimer le service ${s.name}` },
          `Supprimer le service « ${s.name} » ? Ses personnes ne seront plus rattachées à aucun service.`,
          async () => {
            await api(`/v1/admin/services/${s.id}`, { method: 'DELETE' });
            reload();
          },
          zone,
        ),
      ]),
    ),
    zone,
    form(
      'service-add',
      'Ajouter un service',
      [name.group, since.group],
      'Ajouter',
      async () => {
        await api('/v1/admin/services', {
          method: 'POST',
          body: {
            name: name.input.value,
            ...(since.input.value ? { pilot_since: since.input.value } : {}),
          },
        });
        reload();
      },
      zone,
    ),
    services.length
      ? form(
          'service-change',
          'Renommer un service ou régler son pilote',
          [which.group, rename.group, pilot.group],
          'Enregistrer',
          async () => {
            await api(`/v1/admin/services/${which.input.value}`, {
              method: 'PATCH',
              body: {
                ...(rename.input.value.trim() ? { name: rename.input.value } : {}),
                pilot_since: pilot.input.value || null,
              },
            });
            reload();
          },
          zone,
        )
      : null,
    services.length && people.length
      ? form(
          'service-attach',
          'Rattacher une personne à un service',
          [person.group, target.group],
          'Rattacher',
          async () => {
            await api(`/v1/users/${person.input.value}`, {
              method: 'PATCH',
              body: { service_id: target.input.value || null },
            });
            reload();
          },
          zone,
        )
      : null,
  );
  panel.addEventListener('toggle', () => (panelOpen = panel.open));
  box.append(panel);
}

export async function pilote(body) {
  const services = await api('/v1/admin/services');
  const since = services.org_pilot_since;
  const today = new Date();
  const from = since ?? day(new Date(today.getTime() - 55 * 86400_000));
  const service = select(
    'Service',
    [
      ['', 'Toute l’organisation'],
      ...services.data.map((s) => [
        s.id,
        s.pilot_since ? `${s.name} (pilote depuis le ${frDay(s.pilot_since)})` : s.name,
      ]),
    ],
    { id: 'pilot-service' },
  );
  const main = period('Période', from, day(today), 'pilot');
  const form = h(
    'form',
    { id: 'pilot-form' },
    fieldset('Période et service', [...main.groups, service.group], 'Afficher', { inline: true }),
  );
  const out = h('div', { id: 'pilot-report', 'aria-live': 'polite' });
  const download = h(
    'button',
    {
      type: 'button',
      class: 'fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left',
      id: 'pilot-csv',
    },
    'Exporter en CSV',
  );
  const query = () => {
    const qs = new URLSearchParams({ from: main.from.value, to: main.to.value });
    if (service.input.value) qs.set('service', service.input.value);
    return qs;
  };
  const load = async () => {
    out.replaceChildren(h('p', {}, 'Calcul des chiffres…'));
    try {
      const r = await api(`/v1/admin/pilot?${query()}`);
      out.replaceChildren(
        h(
          'p',
          { id: 'pilot-totals' },
          `Du ${frDay(r.from)} au ${frDay(r.to)} : ${fmtNum(r.totals.questions)} questions, ${pct(r.totals.refused_share)} sans source, ${pct(r.totals.negative_share)} des réponses avec un avis négatif.`,
        ),
        weeksTable(r),
        h('h3', { class: 'fr-h5' }, 'Questions par semaine'),
        await barChart(
          r.weeks.map((w) => [weekLabel(w), w.questions]),
          'Questions par semaine',
          { digits: 0, id: 'pilot-chart' },
        ),
        ...periodLists(r.totals, r.stale_after_months),
      );
    } catch (e) {
      out.replaceChildren(alertBox('error', null, e.message));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  download.addEventListener('click', async () => {
    try {
      const res = await api(`/v1/admin/pilot?${query()}&format=csv`, { raw: true });
      const a = h('a', {
        href: URL.createObjectURL(await res.blob()),
        download: `pilote-${main.from.value}-${main.to.value}.csv`,
      });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      out.prepend(alertBox('error', null, e.message));
    }
  });

  // Two periods side by side, with B − A.
  const a = period('Période A', from, day(new Date(today.getTime() - 7 * 86400_000)), 'cmp-a');
  const b = period('Période B', day(new Date(today.getTime() - 6 * 86400_000)), day(today), 'cmp-b');
  const cmpOut = h('div', { id: 'pilot-compare', 'aria-live': 'polite' });
  const cmpForm = h(
    'form',
    { id: 'pilot-compare-form' },
    fieldset('Périodes comparées', [...a.groups, ...b.groups], 'Comparer', { inline: true }),
  );
  cmpForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const qs = new URLSearchParams({
      a_from: a.from.value,
      a_to: a.to.value,
      b_from: b.from.value,
      b_to: b.to.value,
    });
    if (service.input.value) qs.set('service', service.input.value);
    try {
      const r = await api(`/v1/admin/pilot/compare?${qs}`);
      cmpOut.replaceChildren(
        table(
          'Comparaison des deux périodes',
          [
            'Mesure',
            `A (${frDay(r.a.from)} – ${frDay(r.a.to)})`,
            `B (${frDay(r.b.from)} – ${frDay(r.b.to)})`,
            'Écart (B − A)',
          ],
          COMPARED.map(([k, label, format]) => [
            label,
            format(r.a.totals[k]),
            format(r.b.totals[k]),
            signed(r.delta[k], format),
          ]),
        ),
      );
    } catch (err) {
      cmpOut.replaceChildren(alertBox('error', null, err.message));
    }
  });

  const flag = h('div');
  const reload = () => {
    body.replaceChildren(body.firstElementChild);
    void pilote(body);
  };
  flag.addEventListener('pilot-changed', reload);
  body.append(
    h(
      'p',
      { id: 'pilot-status' },
      since
        ? `L’organisation est en mode pilote depuis le ${frDay(since)}.`
        : 'L’organisation n’est pas en mode pilote.',
    ),
    h(
      'p',
      { class: 'fr-text--sm' },
      'Chiffres tirés des questions posées à l’assistant dans l’interface, rattachées au service de la personne au moment de la question. Les questions sans réponse sont affichées avec les données personnelles masquées.',
    ),
    flag,
    form,
    h('div', { class: 'gc-actions fr-mb-2w' }, download),
    out,
    h('h3', { class: 'fr-h4 fr-mt-4w' }, 'Comparer deux périodes'),
    cmpForm,
    cmpOut,
  );
  await pilotFlag(flag, since);
  await manageServices(flag, services.data, reload);
  await load();
}
