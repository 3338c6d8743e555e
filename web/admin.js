// The admin console: collections and documents, people and keys, quotas, usage, feedback, privacy.
import { api, can, headers, session } from './api.js';
import {
  alertBox,
  confirmButton,
  field,
  fieldset,
  fmtDate,
  fmtDay,
  fmtNum,
  h,
  select,
  table,
  unavailable,
} from './ui.js';
import { barChart } from './chart.js';
import { renderMarkdown } from './markdown.js';
import { backups } from './backups.js';
import { trainingAdmin } from './training.js';
import { pilote } from './pilot.js';
import { renderAiTools } from './ai-tools.js';

const ROLE_NAMES = {
  agent: 'Agent',
  developer: 'Développeur',
  dpo: 'Délégué à la protection des données',
  admin: 'Administrateur',
  superadmin: 'Super-administrateur',
};

const SECTIONS = [
  ['documents', 'Documents', 'collections:read'],
  ['comptes', 'Personnes et clés', 'keys:manage'],
  ['usage', 'Consommation', 'usage:read'],
  ['avis', 'Avis reçus', 'audit:read'],
  ['pilote', 'Pilote', 'audit:read'],
  ['confidentialite', 'Confidentialité', 'audit:read'],
  ['outils-ia', 'Outils d’IA', 'ai_tools:read'],
  ['formation', 'Formation à l’IA', 'users:read'],
  ['sauvegardes', 'Sauvegardes', 'orgs:manage'],
];

export async function renderAdmin(main, hash) {
  const visible = SECTIONS.filter(([, , perm]) => can(perm));
  const name = hash.split('/')[2] || visible[0]?.[0];
  const section = visible.find(([id]) => id === name);
  const body = h('div');
  main.replaceChildren(
    h('h1', { class: 'fr-h2' }, 'Administration'),
    h(
      'nav',
      { class: 'fr-tabs__list-nav fr-mb-3w', 'aria-label': 'Rubriques de l’administration' },
      h(
        'ul',
        { class: 'fr-btns-group fr-btns-group--inline-md fr-btns-group--sm' },
        visible.map(([id, label]) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                class: `fr-btn fr-btn--sm ${id === name ? '' : 'fr-btn--secondary'}`,
                href: `#/admin/${id}`,
                ...(id === name ? { 'aria-current': 'page' } : {}),
              },
              label,
            ),
          ),
        ),
      ),
    ),
    body,
  );
  if (!section) {
    body.append(alertBox('warning', null, 'Vous n’avez pas accès à cette rubrique.'));
    return;
  }
  document.title = `${section[1]} – Administration – Guichet`;
  body.append(h('h2', { class: 'fr-h3' }, section[1]));
  const render = {
    documents,
    comptes,
    usage,
    avis,
    pilote,
    confidentialite,
    'outils-ia': renderAiTools,
    formation: trainingAdmin,
    sauvegardes: backups,
  }[section[0]];
  try {
    await render(body);
  } catch (e) {
    body.append(
      e.status === 404 || e.status === 403 ? unavailable(section[1]) : alertBox('error', null, e.message),
    );
  }
}

/* ---------- Collections and documents ---------- */

async function documents(body, opened = null, notice = null) {
  const list = await api('/v1/collections');
  const own = list.data.filter((c) => c.writable);
  const zone = h('div', { id: 'collection-zone' });
  const messages = h('div', { 'aria-live': 'polite', id: 'documents-messages' }, notice);
  const rerender = async (openId, message) => {
    body.replaceChildren(h('h2', { class: 'fr-h3' }, 'Documents'));
    await documents(body, openId, message);
  };
  const create = h('form', {
    class: 'fr-mb-4w',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const c = await api('/v1/collections', {
          method: 'POST',
          body: {
            name: name.input.value.trim(),
            description: desc.input.value.trim(),
            visibility: vis.input.value,
          },
        });
        // Stays on this screen (no navigation that would wipe the message), the new collection open.
        await rerender(
          c.id,
          alertBox('success', null, `Collection « ${c.name} » créée : ajoutez-y des documents ci-dessous.`),
        );
        document.getElementById('upload-input')?.focus();
      } catch (err) {
        create.append(alertBox('error', null, err.message));
      }
    },
  });
  const name = field('Nom de la collection', { required: true, maxlength: '200', name: 'collection-name' });
  const desc = field('Description (facultatif)', { maxlength: '2000' });
  const vis = select('Visibilité', [
    ['private', 'Privée (votre organisation)'],
    ['shared', 'Partagée (toutes les organisations)'],
  ]);
  if (can('collections:write'))
    create.append(
      fieldset('Créer une collection', [name.group, desc.group, vis.group], 'Créer la collection'),
    );
  const collections = table(
    'Collections',
    ['Nom', 'Visibilité', 'Documents', 'Actions'],
    list.data.map((c) => [
      c.name,
      c.builtin ? 'Nationale (service-public.fr)' : c.visibility === 'shared' ? 'Partagée' : 'Privée',
      h('span', { dataset: { count: c.id } }, fmtNum(c.document_count)),
      c.writable
        ? h(
            'div',
            { class: 'gc-actions' },
            h(
              'button',
              {
                class: 'fr-btn fr-btn--sm fr-btn--secondary',
                type: 'button',
                onclick: () => openCollection(c, zone),
              },
              `Ouvrir « ${c.name} »`,
            ),
            can('collections:write')
              ? confirmButton(
                  ['Supprimer', h('span', { class: 'fr-sr-only' }, ` la collection « ${c.name} »`)],
                  { class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left' },
                  `Supprimer la collection « ${c.name} » et tous ses documents ?`,
                  async () => {
                    await api(`/v1/collections/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
                    await rerender(null, alertBox('success', null, `Collection « ${c.name} » supprimée.`));
                  },
                  messages,
                )
              : null,
          )
        : 'Lecture seule',
    ]),
  );
  // The open collection and its drop zone come first: in view without scrolling.
  body.append(
    messages,
    zone,
    h('h3', { class: 'fr-h4 fr-mt-4w' }, 'Toutes les collections'),
    collections,
    create,
  );
  const first = own.find((c) => c.id === opened) ?? own[0];
  if (first) await openCollection(first, zone);
}

async function openCollection(c, zone) {
  const docs = await api(`/v1/documents?collection=${encodeURIComponent(c.id)}&limit=200`);
  const results = h('ul', { class: 'fr-mt-2w', 'aria-live': 'polite', id: 'upload-results' });
  const input = h('input', {
    class: 'fr-upload',
    type: 'file',
    id: 'upload-input',
    name: 'files',
    multiple: true,
    'aria-describedby': 'upload-hint',
  });
  const drop = h(
    'div',
    { class: 'gc-dropzone fr-mb-2w', id: 'dropzone' },
    h(
      'div',
      { class: 'fr-upload-group' },
      h(
        'label',
        { class: 'fr-label', for: 'upload-input' },
        `Ajouter des fichiers à « ${c.name} »`,
        h(
          'span',
          { class: 'fr-hint-text', id: 'upload-hint' },
          'Glissez-déposez des fichiers ici ou choisissez-les (plusieurs à la fois). Formats : PDF, DOCX, HTML, Markdown, texte, CSV, JSON.',
        ),
      ),
      input,
    ),
  );
  const refresh = () => openCollection(c, zone);
  const send = async (files) => {
    for (const file of files) await uploadOne(file, c.id, results);
    const list = await api(`/v1/documents?collection=${encodeURIComponent(c.id)}&limit=200`).catch(
      () => null,
    );
    if (list) {
      zone.querySelector('.fr-table')?.replaceWith(docTable(c, list, refresh));
      // The collections table shows the new count at once.
      const count = document.querySelector(`[data-count="${CSS.escape(c.id)}"]`);
      if (count) count.textContent = fmtNum(list.data.length);
    }
  };
  input.addEventListener('change', () => {
    send([...input.files]);
    input.value = '';
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('is-over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('is-over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('is-over');
    send([...e.dataTransfer.files]);
  });
  zone.replaceChildren(
    h('h3', { class: 'fr-h4' }, `Collection « ${c.name} »`),
    can('documents:write') ? drop : '', // not null: replaceChildren would show the word null
    results,
    docTable(c, docs, refresh),
  );
}

function docTable(c, docs, refresh) {
  return table(
    `Documents de « ${c.name} »`,
    ['Fichier', 'Format', 'Passages', 'Ajouté le', 'Avertissements', 'Actions'],
    docs.data.map((d) => [
      d.file_name,
      d.format ?? '—',
      fmtNum(d.chunk_count),
      fmtDate(d.created_at),
      d.warnings.join(' ; ') || '—',
      can('documents:write')
        ? h(
            'button',
            {
              class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left',
              type: 'button',
              title: `Supprimer ${d.file_name}`,
              onclick: async () => {
                if (!confirm(`Supprimer « ${d.file_name} » ?`)) return;
                await api(`/v1/documents/${encodeURIComponent(d.id)}`, { method: 'DELETE' }).catch((e) =>
                  alert(e.message),
                );
                refresh();
              },
            },
            'Supprimer',
            h('span', { class: 'fr-sr-only' }, ` « ${d.file_name} »`),
          )
        : '—',
    ]),
  );
}

function uploadOne(file, collection, results) {
  const progress = h('progress', { max: '100', value: '0', 'aria-label': `Envoi de ${file.name}` });
  const state = h('span', {}, ' envoi…');
  const item = h(
    'li',
    { class: 'fr-mb-1w', dataset: { file: file.name } },
    h('strong', {}, file.name),
    ' ',
    progress,
    state,
  );
  results.append(item);
  return new Promise((resolve) => {
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('collection', collection);
    // A folder upload: the document is known by its path in the folder (two tarifs.md stay two).
    if (file.webkitRelativePath) form.append('path', file.webkitRelativePath);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/documents');
    for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    };
    xhr.onload = () => {
      progress.value = 100;
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        item.classList.add('is-ok');
        state.replaceChildren(
          ' ',
          h(
            'span',
            { class: 'fr-badge fr-badge--sm fr-badge--success' },
            body?.duplicate ? 'Déjà présent' : body?.replaced ? 'Remplacé' : 'Ajouté',
          ),
          ` ${fmtNum(body?.chunk_count)} passages`,
        );
      } else {
        item.classList.add('is-error');
        state.replaceChildren(
          ' ',
          h('span', { class: 'fr-badge fr-badge--sm fr-badge--error' }, 'Refusé'),
          ' ',
          h(
            'span',
            { class: 'fr-error-text fr-mt-0 gc-file-error' },
            body?.error?.message ?? `Erreur ${xhr.status}`,
          ),
        );
      }
      resolve();
    };
    xhr.onerror = () => {
      state.replaceChildren(
        ' ',
        h(
          'span',
          { class: 'fr-error-text fr-mt-0 gc-file-error' },
          'Envoi interrompu : le serveur est injoignable.',
        ),
      );
      resolve();
    };
    xhr.send(form);
  });
}

/* ---------- People, keys and quotas ---------- */

async function comptes(body) {
  const created = h('div', { 'aria-live': 'polite' });
  const keys = await api('/v1/keys');
  const keyName = field('Nom de la clé', { maxlength: '200', name: 'key-name', required: true });
  const keyRole = select('Rôle de la clé', [
    ['agent', 'Agent'],
    ['developer', 'Développeur'],
    ['dpo', 'Délégué à la protection des données (lecture seule)'],
    ['admin', 'Administrateur'],
  ]);
  const keyDays = field('Expire dans (jours, facultatif)', { type: 'number', min: '1', max: '3650' });
  const keyForm = h(
    'form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const k = await api('/v1/keys', {
            method: 'POST',
            body: {
              name: keyName.input.value.trim() || 'Clé',
              role: keyRole.input.value,
              ...(keyDays.input.value ? { expires_in_days: Number(keyDays.input.value) } : {}),
            },
          });
          body.replaceChildren(h('h2', { class: 'fr-h3' }, 'Personnes et clés'));
          await comptes(body);
          body
            .querySelector('[data-created]')
            .replaceChildren(
              alertBox(
                'success',
                'Clé créée : copiez-la maintenant',
                'Elle ne sera plus jamais affichée.',
                h('p', { class: 'gc-secret', id: 'new-key' }, k.key),
              ),
            );
        } catch (err) {
          keyForm.append(alertBox('error', null, err.message));
        }
      },
    },
    fieldset('Créer une clé d’API', [keyName.group, keyRole.group, keyDays.group], 'Créer la clé'),
  );
  created.dataset.created = '1';
  body.append(
    h('h3', { class: 'fr-h4' }, 'Clés d’API'),
    created,
    table(
      'Clés d’API',
      ['Nom', 'Rôle', 'Dates', 'État', 'Actions'],
      keys.data.map((k) => [
        h('span', {}, k.name, h('br'), h('span', { class: 'fr-text--xs' }, `gch_${k.prefix}…`)),
        ROLE_NAMES[k.role] ?? k.role,
        h(
          'span',
          { class: 'fr-text--sm' },
          `Créée le ${fmtDay(k.created_at)}`,
          h('br'),
          `Dernier usage : ${k.last_used_at ? fmtDate(k.last_used_at) : 'jamais'}`,
          h('br'),
          `Expire : ${k.expires_at ? fmtDay(k.expires_at) : 'jamais'}`,
        ),
        k.revoked_at
          ? h('span', { class: 'fr-badge fr-badge--sm fr-badge--error' }, 'Révoquée')
          : h('span', { class: 'fr-badge fr-badge--sm fr-badge--success' }, 'Active'),
        k.revoked_at
          ? '—'
          : confirmButton(
              'Révoquer',
              {
                class: 'fr-btn fr-btn--sm fr-btn--tertiary',
                title: `Révoquer la clé ${k.name}`,
                dataset: { revoke: k.name },
              },
              `Révoquer la clé « ${k.name} » ? Les applications qui l’utilisent seront refusées.`,
              async () => {
                await api(`/v1/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
                body.replaceChildren(h('h2', { class: 'fr-h3' }, 'Personnes et clés'));
                await comptes(body);
              },
              created,
            ),
      ]),
    ),
    keyForm,
  );

  if (can('users:manage')) {
    const [users, services] = await Promise.all([api('/v1/users'), api('/v1/admin/services')]);
    const email = field('Adresse électronique', { type: 'email', required: true, autocomplete: 'off' });
    const uname = field('Nom (facultatif)', { maxlength: '200' });
    const role = select('Rôle', [
      ['agent', 'Agent'],
      ['developer', 'Développeur'],
      ['dpo', 'Délégué à la protection des données (lecture seule)'],
      ['admin', 'Administrateur'],
    ]);
    const serviceNames = new Map(services.data.map((s) => [s.id, s.name]));
    const peopleMessages = h('div', { 'aria-live': 'polite', id: 'people-messages' });
    // Each person's service, changed in place (the same route as the pilot's « Rattacher »).
    const serviceForm = (u) => {
      const id = `user-service-${u.id}`;
      const who = u.name && u.name !== u.email ? u.name : u.email;
      const choice = h(
        'select',
        { class: 'fr-select fr-mt-0', id, name: 'service_id' },
        [['', 'Aucun'], ...services.data.map((s) => [s.id, s.name])].map(([v, t]) =>
          h('option', { value: v, selected: v === (u.service_id ?? '') }, t),
        ),
      );
      return h(
        'form',
        {
          class: 'gc-actions gc-user-service fr-mt-0',
          dataset: { user: u.id },
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              const updated = await api(`/v1/users/${encodeURIComponent(u.id)}`, {
                method: 'PATCH',
                body: { service_id: choice.value || null },
              });
              body.replaceChildren(h('h2', { class: 'fr-h3' }, 'Personnes et clés'));
              await comptes(body);
              const name = serviceNames.get(updated.service_id);
              body
                .querySelector('#people-messages')
                ?.replaceChildren(
                  alertBox(
                    'success',
                    null,
                    name
                      ? `${who} est rattaché(e) au service « ${name} ».`
                      : `${who} n’est plus rattaché(e) à aucun service.`,
                  ),
                );
            } catch (err) {
              peopleMessages.replaceChildren(alertBox('error', null, err.message));
            }
          },
        },
        h(
          'div',
          { class: 'fr-select-group fr-mb-0' },
          h('label', { class: 'fr-label fr-sr-only', for: id }, `Service de ${who}`),
          choice,
        ),
        h(
          'button',
          {
            type: 'submit',
            class: 'fr-btn fr-btn--sm fr-btn--secondary',
            'aria-label': `Enregistrer le service de ${who}`,
          },
          'Enregistrer',
        ),
      );
    };
    const userForm = h(
      'form',
      {
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api('/v1/users', {
              method: 'POST',
              body: {
                email: email.input.value.trim(),
                name: uname.input.value.trim() || undefined,
                role: role.input.value,
              },
            });
            body.replaceChildren(h('h2', { class: 'fr-h3' }, 'Personnes et clés'));
            await comptes(body);
          } catch (err) {
            userForm.append(alertBox('error', null, err.message));
          }
        },
      },
      fieldset('Ajouter une personne', [email.group, uname.group, role.group], 'Ajouter'),
    );
    body.append(
      h('h3', { class: 'fr-h4 fr-mt-4w' }, 'Personnes et rôles'),
      peopleMessages,
      table(
        'Personnes',
        [
          'Nom',
          'Adresse',
          'Rôle',
          'Service',
          'Depuis',
          ...(services.data.length ? ['Changer de service'] : []),
        ],
        users.data.map((u) => [
          u.name,
          u.email,
          ROLE_NAMES[u.role] ?? u.role,
          serviceNames.get(u.service_id) ?? '—',
          fmtDay(u.created_at),
          ...(services.data.length ? [serviceForm(u)] : []),
        ]),
      ),
      userForm,
    );
  }
  if (can('quotas:manage')) await quotas(body);
}

async function quotas(body) {
  const q = await api('/v1/quotas');
  const names = [
    ['requests_per_minute', 'Requêtes par minute'],
    ['requests_per_day', 'Requêtes par jour'],
    ['tokens_per_minute', 'Jetons par minute'],
    ['tokens_per_day', 'Jetons par jour'],
    ['monthly_credits', 'Crédits par mois'],
  ];
  const inputs = names.map(([k, label]) => [
    k,
    field(label, { type: 'number', min: '0', value: q[k] ?? '' }, 'Vide = sans limite'),
  ]);
  const msg = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        const bodyJson = Object.fromEntries(
          inputs.map(([k, f]) => [k, f.input.value === '' ? null : Number(f.input.value)]),
        );
        try {
          await api('/v1/quotas', { method: 'PUT', body: bodyJson });
          msg.replaceChildren(alertBox('success', null, 'Quotas enregistrés.'));
        } catch (err) {
          msg.replaceChildren(alertBox('error', null, err.message));
        }
      },
    },
    fieldset(
      `Quotas et crédits de l’organisation (${q.source === 'stored' ? 'fixés' : 'par défaut'})`,
      inputs.map(([, f]) => f.group),
      'Enregistrer les quotas',
      { inline: true },
    ),
    msg,
  );
  body.append(h('h3', { class: 'fr-h4 fr-mt-4w' }, 'Quotas et crédits'), form);
}

/* ---------- Usage ---------- */

const METRICS = [
  ['requests', 'Requêtes', 0],
  ['total_tokens', 'Jetons', 0],
  ['credits', 'Crédits', 2],
  ['energy_wh', 'Énergie (Wh)', 3],
];

/** `2026-06-12` → « 12 juin » (the day of a UTC date, never read as a month). */
const frDay = (day) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString('fr-FR', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });

const ENDPOINTS = {
  'POST /v1/conversations/:id/messages': 'Question à l’assistant',
  'POST /v1/chat/completions': 'Appel au modèle (API)',
  'POST /v1/search': 'Recherche',
  'POST /v1/embeddings': 'Vectorisation (API)',
};

function csvOf(rows) {
  const cell = (v) => {
    const t = v === null || v === undefined ? '' : String(v);
    return /[";\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const head = [
    'Date',
    'Personne ou clé',
    'Action',
    'Modèle',
    'Jetons envoyés',
    'Jetons reçus',
    'Crédits',
    'Énergie (Wh)',
    'Latence (ms)',
    'Statut',
  ];
  const lines = rows.map((r) =>
    [
      new Date(r.at).toLocaleString('fr-FR'),
      r.who ?? '—',
      ENDPOINTS[r.endpoint] ?? r.endpoint,
      r.model ?? '',
      r.prompt_tokens,
      r.completion_tokens,
      String(r.credits).replace('.', ','),
      String(r.energy_wh ?? '').replace('.', ','),
      r.latency_ms,
      r.status,
    ]
      .map(cell)
      .join(';'),
  );
  // A BOM so that a spreadsheet opens the accents right; `;` as French spreadsheets expect.
  return `\ufeff${[head.join(';'), ...lines].join('\r\n')}\r\n`;
}

async function usage(body) {
  const from = new Date(Date.now() - 29 * 86400_000).toISOString().slice(0, 10);
  const [days, rows] = await Promise.all([
    api(`/v1/usage?group=day&from=${from}`),
    api(`/v1/usage?limit=1000&from=${from}`),
  ]);
  const metric = select(
    'Mesure',
    METRICS.map(([k, l]) => [k, l]),
    { id: 'usage-metric' },
  );
  const charts = h('div', { id: 'usage-charts' });
  const draw = async () => {
    const m = metric.input.value;
    const [, label, digits] = METRICS.find(([k]) => k === m);
    const value = (r) =>
      m === 'total_tokens' ? r.prompt_tokens + r.completion_tokens : m === 'requests' ? 1 : (r[m] ?? 0);
    const byDay = days.days.map((d) => [frDay(d.day), Number(d[m] ?? 0)]);
    const group = (f) =>
      [...rows.data.reduce((acc, r) => acc.set(f(r), (acc.get(f(r)) ?? 0) + value(r)), new Map())]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12);
    const total = days.days.reduce((n, d) => n + Number(d[m] ?? 0), 0);
    charts.replaceChildren(
      h(
        'p',
        { id: 'usage-total' },
        `Total sur la période : ${fmtNum(total, digits)} (${label.toLowerCase()}).`,
      ),
      h('h3', { class: 'fr-h5' }, `${label} par jour (30 derniers jours)`),
      await barChart(byDay, `${label} par jour`, { digits, id: 'chart-days' }),
      h('h3', { class: 'fr-h5' }, `${label} par personne ou clé`),
      await barChart(
        group((r) => r.who ?? 'Inconnu'),
        `${label} par personne ou clé`,
        { digits, id: 'chart-people' },
      ),
      h('h3', { class: 'fr-h5' }, `${label} par modèle`),
      await barChart(
        group((r) => r.model ?? 'sans modèle (recherche)'),
        `${label} par modèle`,
        { digits, id: 'chart-models' },
      ),
    );
  };
  metric.input.addEventListener('change', draw);
  const t = days.totals;
  const download = h(
    'a',
    {
      class: 'fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left',
      id: 'usage-csv',
      download: `consommation-${from}.csv`,
      href: '#',
    },
    'Exporter en CSV',
  );
  download.addEventListener('click', () => {
    download.href = URL.createObjectURL(new Blob([csvOf(rows.data)], { type: 'text/csv;charset=utf-8' }));
  });
  body.append(
    h(
      'p',
      {},
      `Sur 30 jours : ${fmtNum(t.requests)} questions et recherches, ${fmtNum(t.total_tokens)} jetons, ${fmtNum(t.credits, 2)} crédits, ${fmtNum(t.energy_wh, 3)} Wh, ${fmtNum(t.carbon_gco2e, 3)} gCO2e (estimations).`,
    ),
    h(
      'p',
      { class: 'fr-text--sm' },
      'Seuls les appels aux modèles et les recherches sont comptés : la navigation dans l’interface ne l’est pas.',
    ),
    h('div', { class: 'gc-actions fr-mb-2w' }, metric.group, download),
    charts,
  );
  await draw();
}

/* ---------- Feedback ---------- */

async function avis(body) {
  const rating = select(
    'Note',
    [
      ['', 'Toutes'],
      ['1', 'Utile'],
      ['-1', 'Pas utile'],
    ],
    { id: 'feedback-rating' },
  );
  const tag = select(
    'Étiquette',
    [
      ['', 'Toutes'],
      ...['clair', 'complet', 'sources fiables', 'erreur', 'incomplet', 'manque de sources', 'trop long'].map(
        (t) => [t, t],
      ),
    ],
    { id: 'feedback-tag' },
  );
  const out = h('div', { 'aria-live': 'polite', id: 'feedback-list' });
  const load = async () => {
    const qs = new URLSearchParams();
    if (rating.input.value) qs.set('rating', rating.input.value);
    if (tag.input.value) qs.set('tag', tag.input.value);
    try {
      const list = await api(`/v1/feedback?${qs}`);
      const mine = session.me?.user?.id ?? (session.me?.key ? `key:${session.me.key.id}` : null);
      out.replaceChildren(
        list.data.length
          ? h(
              'ul',
              { class: 'gc-source-list' },
              list.data.map((f) =>
                h(
                  'li',
                  { class: 'gc-feedback-item', dataset: { feedback: f.id } },
                  h(
                    'p',
                    { class: 'fr-mb-1v' },
                    h(
                      'span',
                      {
                        class: `fr-badge fr-badge--sm ${f.rating > 0 ? 'fr-badge--success' : 'fr-badge--error'}`,
                      },
                      f.rating > 0 ? 'Utile' : 'Pas utile',
                    ),
                    ' ',
                    f.tags.map((t) => h('span', { class: 'fr-tag fr-tag--sm fr-mr-1v' }, t)),
                    ' ',
                    h(
                      'span',
                      { class: 'fr-text--sm' },
                      `${fmtDate(f.created_at)}${f.author ? ` · ${f.author}` : ''}`,
                    ),
                  ),
                  f.comment ? h('blockquote', { class: 'fr-mb-1w' }, `« ${f.comment} »`) : null,
                  h('p', { class: 'fr-text--bold fr-mb-1v' }, 'Question'),
                  h('p', { class: 'fr-mb-1w gc-question-text' }, f.question || '—'),
                  h(
                    'details',
                    {},
                    h('summary', {}, 'Réponse et sources'),
                    h(
                      'div',
                      { class: 'gc-answer-text fr-mt-1w' },
                      renderMarkdown(f.answer ?? f.answer_excerpt),
                    ),
                    f.sources?.length
                      ? h(
                          'ul',
                          { class: 'fr-text--sm' },
                          f.sources.map((c) =>
                            h(
                              'li',
                              {},
                              `[${c.index}] `,
                              c.url
                                ? h(
                                    'a',
                                    {
                                      href: c.url,
                                      target: '_blank',
                                      rel: 'noopener',
                                      title: `${c.title} – nouvelle fenêtre`,
                                    },
                                    c.title,
                                  )
                                : c.title,
                              c.local ? ' (document local)' : '',
                            ),
                          ),
                        )
                      : h('p', { class: 'fr-text--sm' }, 'Aucune source citée.'),
                  ),
                  f.user_id === mine
                    ? h(
                        'a',
                        { class: 'fr-link fr-text--sm', href: `#/assistant/${f.conversation_id}` },
                        'Ouvrir la conversation',
                      )
                    : h(
                        'p',
                        { class: 'fr-text--xs fr-mb-0' },
                        `Conversation ${f.conversation_id} : visible de son auteur seul (l’échange évalué est reproduit ci-dessus).`,
                      ),
                ),
              ),
            )
          : h('p', {}, 'Aucun avis pour ces critères.'),
      );
    } catch (e) {
      out.replaceChildren(
        e.status === 403 || e.status === 404 ? unavailable('Avis reçus') : alertBox('error', null, e.message),
      );
    }
  };
  rating.input.addEventListener('change', load);
  tag.input.addEventListener('change', load);
  body.append(
    h(
      'div',
      { class: 'fr-grid-row fr-grid-row--gutters' },
      h('div', { class: 'fr-col-6 fr-col-md-3' }, rating.group),
      h('div', { class: 'fr-col-6 fr-col-md-3' }, tag.group),
    ),
    out,
  );
  await load();
}

/* ---------- Privacy ---------- */

async function section(body, title, load) {
  const box = h('section', { class: 'fr-mb-4w' }, h('h3', { class: 'fr-h4' }, title));
  body.append(box);
  try {
    await load(box);
  } catch (e) {
    box.append(
      e.status === 403 || e.status === 404 ? unavailable(title) : alertBox('error', null, e.message),
    );
  }
}

async function confidentialite(body) {
  await section(body, 'Durées de conservation en vigueur', async (box) => {
    const list = await api('/v1/conversations?limit=1').catch(() => null);
    if (list)
      box.append(
        h(
          'p',
          {},
          `Conversations de l’assistant : ${list.retention_days > 0 ? `${list.retention_days} jours après le dernier message` : 'sans purge automatique'}.`,
        ),
      );
    const r = await api('/v1/admin/retention').catch((e) =>
      e.status === 403 || e.status === 404 ? null : Promise.reject(e),
    );
    const days = (n) => (n > 0 ? `${n} jours` : 'sans purge automatique');
    box.append(
      r && r.retention
        ? h(
            'ul',
            { id: 'retention-list' },
            h('li', {}, `Conversations : ${days(r.retention.conversations_days)}`),
            h('li', {}, `Consommation (jetons, latence, sans texte) : ${days(r.retention.usage_days)}`),
            h('li', {}, `Journal d’audit : ${days(r.retention.audit_days)}`),
            h('li', {}, `Documents déposés : ${days(r.retention.documents_days)}`),
            h(
              'li',
              {},
              r.purge_interval_hours > 0
                ? `Purge automatique toutes les ${r.purge_interval_hours} heures`
                : 'Purge automatique désactivée',
            ),
          )
        : h(
            'p',
            { class: 'fr-text--sm' },
            'Le détail des autres durées (consommation, journal d’audit, documents) n’est pas encore exposé par ce serveur.',
          ),
      r?.editable
        ? retentionForm(r, box)
        : h(
            'p',
            { class: 'fr-text--sm' },
            `Ces durées valent pour toute l’instance : ${r?.source === 'stored' ? 'elles ont été modifiées depuis cet écran' : 'elles viennent de la configuration du serveur (privacy.retention)'} et seul son exploitant peut les changer.`,
          ),
    );
  });
  await section(body, 'Flux de données', async (box) => {
    const r = await api('/v1/admin/data-flows');
    box.append(...dataFlows(r).filter(Boolean));
  });
  if (can('privacy:manage') || can('privacy:read')) await section(body, 'Droits des personnes', personRights);
  await section(body, 'Journal d’audit', async (box) => auditPage(box));
}

/** The instance's operator changes the retention durations (whole days; 0 = no automatic purge). */
function retentionForm(r, box) {
  const names = [
    ['conversations_days', 'Conversations (jours)'],
    ['usage_days', 'Consommation (jours)'],
    ['audit_days', 'Journal d’audit (jours)'],
    ['documents_days', 'Documents déposés (jours)'],
  ];
  const inputs = names.map(([k, label]) => [
    k,
    field(
      label,
      {
        type: 'number',
        min: '0',
        max: '3650',
        step: '1',
        required: true,
        value: r.retention[k],
        id: `retention-${k}`,
      },
      '0 = pas de purge automatique',
    ),
  ]);
  const msg = h('div', { 'aria-live': 'polite', id: 'retention-messages' });
  const form = h(
    'form',
    {
      id: 'retention-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const body = Object.fromEntries(inputs.map(([k, f]) => [k, Number(f.input.value)]));
        if (
          !confirm(
            'Modifier les durées de conservation de toute l’instance ? La prochaine purge les appliquera.',
          )
        )
          return;
        try {
          const next = await api('/v1/admin/retention', { method: 'PUT', body });
          const list = box.querySelector('#retention-list');
          const days = (n) => (n > 0 ? `${n} jours` : 'sans purge automatique');
          if (list)
            list.replaceChildren(
              h('li', {}, `Conversations : ${days(next.retention.conversations_days)}`),
              h('li', {}, `Consommation (jetons, latence, sans texte) : ${days(next.retention.usage_days)}`),
              h('li', {}, `Journal d’audit : ${days(next.retention.audit_days)}`),
              h('li', {}, `Documents déposés : ${days(next.retention.documents_days)}`),
            );
          msg.replaceChildren(
            alertBox(
              'success',
              null,
              'Durées enregistrées ; la modification est inscrite au journal d’audit.',
            ),
          );
        } catch (err) {
          msg.replaceChildren(alertBox('error', null, err.message));
        }
      },
    },
    fieldset(
      'Modifier les durées de conservation (toute l’instance)',
      inputs.map(([, f]) => f.group),
      'Enregistrer les durées',
      { inline: true },
    ),
    msg,
  );
  return form;
}

/** The data flows in words: where data goes, what, and whether it is pseudonymised. */
function dataFlows(r) {
  const endpoints = r.endpoints ?? [];
  const outgoing = endpoints.filter((e) => !e.local);
  const intro = h(
    'p',
    { id: 'flows-summary' },
    outgoing.length
      ? `${outgoing.length} flux sortant${outgoing.length > 1 ? 's' : ''} vers des services extérieurs au serveur Guichet.`
      : 'Aucun flux sortant : les questions, les réponses et les documents ne quittent pas ce serveur (les modèles utilisés tournent sur place ou sur le réseau local).',
  );
  const pseudo = {
    yes: 'oui, les données personnelles sont pseudonymisées avant l’envoi',
    partially: 'en partie (certaines organisations en sont exemptées)',
    no: 'non : les données partent telles quelles',
    not_needed: 'inutile (service local)',
  };
  const kinds = { model_provider: 'Fournisseur de modèles', oidc_issuer: 'Connexion (OpenID Connect)' };
  return [
    intro,
    endpoints.length
      ? h(
          'ul',
          {},
          endpoints.map((e) =>
            h(
              'li',
              { class: 'fr-mb-1w' },
              h('strong', {}, `${kinds[e.kind] ?? e.kind} « ${e.id} »`),
              ` (${e.origin}) — ${e.local ? 'local' : 'extérieur'}`,
              e.sovereignty
                ? `, hébergé par ${e.sovereignty.operator ?? '—'} (${e.sovereignty.country ?? '—'})${e.secnumcloud ? ', qualifié SecNumCloud' : ''}${e.foreignLawExposure ? ', exposé à des lois extraterritoriales' : ''}`
                : '',
              h('br'),
              `Données envoyées : ${(e.dataCategories ?? []).join(' ; ')}.`,
              h('br'),
              `Pseudonymisation : ${pseudo[e.pseudonymised] ?? e.pseudonymised}. Requêtes depuis le démarrage : ${fmtNum(e.requestsSinceStart)}.`,
            ),
          ),
        )
      : null,
    Object.keys(r.refused ?? {}).length
      ? h(
          'p',
          { class: 'fr-text--sm' },
          `Envois bloqués vers des destinations non déclarées : ${Object.entries(r.refused)
            .map(([k, v]) => `${k} (${v})`)
            .join(', ')}.`,
        )
      : h('p', { class: 'fr-text--sm' }, 'Aucun envoi vers une destination non déclarée n’a été tenté.'),
  ];
}

/** Export and erasure of one person's data (access and erasure rights), each confirmed and audited. */
async function personRights(box) {
  const users = can('users:read') ? await api('/v1/users').catch(() => ({ data: [] })) : { data: [] };
  const msg = h('div', { 'aria-live': 'polite', id: 'rights-messages' });
  const person = users.data.length
    ? select(
        'Personne concernée',
        [['', '— choisir —'], ...users.data.map((u) => [u.id, `${u.name || u.email} (${u.email})`])],
        { id: 'rights-person' },
      )
    : field('Identifiant de la personne (usr_…)', { id: 'rights-person', autocomplete: 'off' });
  const who = () => users.data.find((u) => u.id === person.input.value);
  const exportBtn = h(
    'button',
    {
      class: 'fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left',
      type: 'button',
      id: 'rights-export',
    },
    'Exporter ses données (JSON)',
  );
  exportBtn.addEventListener('click', async () => {
    const id = person.input.value.trim();
    if (!id) return msg.replaceChildren(alertBox('error', null, 'Choisissez d’abord une personne.'));
    try {
      const data = await api(`/v1/privacy/users/${encodeURIComponent(id)}/export`);
      const a = h('a', {
        href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })),
        download: `donnees-${id}.json`,
      });
      document.body.append(a);
      a.click();
      a.remove();
      msg.replaceChildren(
        alertBox(
          'success',
          null,
          `Export des données de ${who()?.email ?? id} téléchargé ; il est inscrit au journal d’audit.`,
        ),
      );
    } catch (e) {
      msg.replaceChildren(alertBox('error', null, e.message));
    }
  });
  const eraseBtn = can('privacy:manage')
    ? h(
        'button',
        {
          class: 'fr-btn fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left',
          type: 'button',
          id: 'rights-erase',
        },
        'Effacer ses données',
      )
    : null;
  eraseBtn?.addEventListener('click', async () => {
    const id = person.input.value.trim();
    if (!id) return msg.replaceChildren(alertBox('error', null, 'Choisissez d’abord une personne.'));
    const label = who()?.email ?? id;
    const typed = prompt(
      `Effacement définitif des données de ${label} (conversations, avis, clés, compte). Pour confirmer, saisissez : ${label}`,
    );
    if (typed === null) return;
    if (typed.trim().toLowerCase() !== label.toLowerCase())
      return msg.replaceChildren(alertBox('error', null, 'Confirmation incorrecte : rien n’a été effacé.'));
    try {
      const r = await api(`/v1/privacy/users/${encodeURIComponent(id)}`, { method: 'DELETE' });
      const counts = Object.entries(r.erased ?? {})
        .map(([k, v]) => `${k} : ${v}`)
        .join(', ');
      msg.replaceChildren(
        alertBox(
          'success',
          null,
          `Données de ${label} effacées (${counts || 'rien à effacer'}) ; l’effacement est inscrit au journal d’audit.`,
        ),
      );
    } catch (e) {
      msg.replaceChildren(alertBox('error', null, e.message));
    }
  });
  box.append(
    h(
      'p',
      { class: 'fr-text--sm' },
      'Droit d’accès : export de tout ce que Guichet conserve sur une personne. Droit à l’effacement : suppression définitive, après confirmation.',
    ),
    person.group,
    h('div', { class: 'gc-actions fr-mt-2w' }, exportBtn, eraseBtn),
    can('privacy:manage')
      ? ''
      : h('p', { class: 'fr-text--xs' }, 'L’effacement est réservé à l’administrateur de l’organisation.'),
    msg,
  );
}

const AUDIT_WORDS = {
  'organisation.created': 'Organisation créée',
  'user.created': 'Personne ajoutée',
  'user.setService': 'Personne rattachée à un service',
  'service.created': 'Service créé',
  'service.updated': 'Service modifié',
  'service.deleted': 'Service supprimé',
  'service.org_pilot_set': 'Mode pilote de l’organisation modifié',
  'key.created': 'Clé d’API créée',
  'key.revoked': 'Clé d’API révoquée',
  'quota.changed': 'Quotas modifiés',
  'quota.cleared': 'Quotas fixés effacés',
  'session.signed_in': 'Connexion',
  'session.signed_out': 'Déconnexion',
  'signin.accepted': 'Connexion acceptée',
  'signin.refused': 'Connexion refusée',
  'collection.created': 'Collection créée',
  'collection.updated': 'Collection modifiée',
  'collection.deleted': 'Collection supprimée',
  'document.stored': 'Document déposé',
  'document.stored_many': 'Documents déposés',
  'document.deleted': 'Document supprimé',
  'document.deleted_missing': 'Documents retirés',
  'privacy.export': 'Export des données d’une personne',
  'privacy.erase': 'Effacement des données d’une personne',
  'privacy.purge': 'Purge des données expirées',
  'privacy.retention_changed': 'Durées de conservation modifiées',
  'config.loaded': 'Configuration chargée',
  'ai_tool.created': 'Outil d’IA ajouté à l’inventaire',
  'ai_tool.updated': 'Outil d’IA modifié dans l’inventaire',
  'ai_tool.deleted': 'Outil d’IA retiré de l’inventaire',
};

const FIELD_WORDS = {
  role: 'rôle',
  name: 'nom',
  visibility: 'visibilité',
  scope: 'portée',
  requestsPerMinute: 'requêtes/min',
  requestsPerDay: 'requêtes/jour',
  tokensPerMinute: 'jetons/min',
  tokensPerDay: 'jetons/jour',
  monthlyCredits: 'crédits/mois',
  count: 'nombre',
  expiresAt: 'expiration',
  pilotSince: 'pilote depuis',
  serviceId: 'service',
  fields: 'champs modifiés',
  dpia_status: 'AIPD',
  dpia_status_before: 'AIPD avant',
  dpia_date: 'date de l’AIPD',
};

/** An audit entry's data as a short French sentence (identifiers kept short). */
function auditDetail(data) {
  const parts = [];
  const walk = (obj, prefix = '') => {
    for (const [k, v] of Object.entries(obj ?? {})) {
      if (v === null || v === undefined || v === '') continue;
      if (typeof v === 'object' && !Array.isArray(v)) walk(v, prefix);
      else if (Array.isArray(v)) parts.push(`${FIELD_WORDS[k] ?? k} : ${v.length}`);
      else if (['id', 'orgId', 'subjectId', 'collectionId', 'user', 'prevHash'].includes(k)) continue;
      else parts.push(`${FIELD_WORDS[k] ?? k} : ${v === true ? 'oui' : v === false ? 'non' : v}`);
    }
  };
  walk(data);
  return parts.slice(0, 8).join(', ') || '—';
}

/** The audit log, newest first, 50 entries a page (the organisation's entries, read in pages of 500). */
async function auditPage(box) {
  let entries = [];
  let after;
  for (let i = 0; i < 20; i++) {
    const r = await api(`/v1/admin/audit?limit=500${after !== undefined ? `&after=${after}` : ''}`);
    entries = entries.concat(r.data ?? []);
    if (!r.has_more || r.next_after === null) break;
    after = r.next_after;
  }
  entries.reverse();
  const verifyMsg = h('div', { 'aria-live': 'polite' });
  const zone = h('div', { id: 'audit-page' });
  let page = 0;
  const show = () => {
    const slice = entries.slice(page * 50, page * 50 + 50);
    zone.replaceChildren(
      h(
        'div',
        { class: 'gc-actions fr-mb-2w' },
        h(
          'button',
          {
            class: 'fr-btn fr-btn--secondary fr-btn--sm',
            type: 'button',
            onclick: async () => {
              try {
                const v = await api('/v1/admin/audit/verify', { method: 'POST', body: {} });
                verifyMsg.replaceChildren(
                  alertBox(
                    v.ok || v.valid ? 'success' : 'error',
                    null,
                    v.ok || v.valid
                      ? 'Chaîne du journal intacte.'
                      : `Chaîne rompue : ${(v.problems ?? []).map((p) => `entrée ${p.seq} : ${p.message}`).join(' ; ')}`,
                  ),
                );
              } catch (e) {
                verifyMsg.replaceChildren(
                  e.status === 404 || e.status === 403
                    ? unavailable('Vérification du journal')
                    : alertBox('error', null, e.message),
                );
              }
            },
          },
          'Vérifier l’intégrité',
        ),
        page > 0
          ? h(
              'button',
              {
                class: 'fr-btn fr-btn--tertiary fr-btn--sm',
                type: 'button',
                onclick: () => {
                  page--;
                  show();
                },
              },
              'Entrées plus récentes',
            )
          : null,
        (page + 1) * 50 < entries.length
          ? h(
              'button',
              {
                class: 'fr-btn fr-btn--tertiary fr-btn--sm',
                type: 'button',
                onclick: () => {
                  page++;
                  show();
                },
              },
              'Entrées plus anciennes',
            )
          : null,
      ),
      verifyMsg,
      table(
        'Journal d’audit (les plus récentes d’abord)',
        ['N°', 'Date', 'Événement', 'Par', 'Détail'],
        slice.map((e) => [
          String(e.seq),
          fmtDate(e.at),
          AUDIT_WORDS[e.type] ?? e.type,
          e.actor_name ?? (e.actor?.startsWith('sub_') ? 'une personne (pseudonyme)' : e.actor),
          auditDetail(e.data),
        ]),
      ),
    );
  };
  show();
  box.append(zone);
}
