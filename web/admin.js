// The admin console: collections and documents, people and keys, quotas, usage, feedback, privacy.
import { api, can, headers } from './api.js';
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

const SECTIONS = [
  ['documents', 'Documents', 'collections:read'],
  ['comptes', 'Personnes et clés', 'keys:manage'],
  ['usage', 'Consommation', 'usage:read'],
  ['avis', 'Avis reçus', 'audit:read'],
  ['confidentialite', 'Confidentialité', 'audit:read'],
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
  const render = { documents, comptes, usage, avis, confidentialite }[section[0]];
  try {
    await render(body);
  } catch (e) {
    body.append(
      e.status === 404 || e.status === 403 ? unavailable(section[1]) : alertBox('error', null, e.message),
    );
  }
}

/* ---------- Collections and documents ---------- */

async function documents(body) {
  const list = await api('/v1/collections');
  const own = list.data.filter((c) => c.writable);
  const zone = h('div');
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
        location.hash = `#/admin/documents`;
        body.replaceChildren(
          h('h2', { class: 'fr-h3' }, 'Documents'),
          alertBox('success', null, `Collection « ${c.name} » créée.`),
        );
        await documents(body);
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
  body.append(
    table(
      'Collections',
      ['Nom', 'Visibilité', 'Documents', 'Actions'],
      list.data.map((c) => [
        c.name,
        c.builtin ? 'Nationale (service-public.fr)' : c.visibility === 'shared' ? 'Partagée' : 'Privée',
        fmtNum(c.document_count),
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
                    'Supprimer',
                    { class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left' },
                    `Supprimer la collection « ${c.name} » et tous ses documents ?`,
                    async () => {
                      await api(`/v1/collections/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
                      body.replaceChildren(h('h2', { class: 'fr-h3' }, 'Documents'));
                      await documents(body);
                    },
                    zone,
                  )
                : null,
            )
          : 'Lecture seule',
      ]),
    ),
    create,
    zone,
  );
  if (own.length) await openCollection(own[0], zone);
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
    if (list) zone.querySelector('.fr-table')?.replaceWith(docTable(c, list, refresh));
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
    can('documents:write') ? drop : null,
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
      ['Nom', 'Préfixe', 'Rôle', 'Créée', 'Dernier usage', 'Expiration', 'État', 'Actions'],
      keys.data.map((k) => [
        k.name,
        k.prefix,
        k.role,
        fmtDay(k.created_at),
        fmtDate(k.last_used_at),
        fmtDay(k.expires_at),
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
    const users = await api('/v1/users');
    const email = field('Adresse électronique', { type: 'email', required: true, autocomplete: 'off' });
    const uname = field('Nom (facultatif)', { maxlength: '200' });
    const role = select('Rôle', [
      ['agent', 'Agent'],
      ['developer', 'Développeur'],
      ['admin', 'Administrateur'],
    ]);
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
      table(
        'Personnes',
        ['Nom', 'Adresse', 'Rôle', 'Depuis'],
        users.data.map((u) => [u.name, u.email, u.role, fmtDay(u.created_at)]),
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
  ['requests', 'Requêtes'],
  ['total_tokens', 'Jetons'],
  ['credits', 'Crédits'],
  ['energy_wh', 'Énergie (Wh)'],
];

async function usage(body) {
  const from = new Date(Date.now() - 30 * 86400_000).toISOString().slice(0, 10);
  const [days, rows] = await Promise.all([
    api(`/v1/usage?group=day&from=${from}`),
    api(`/v1/usage?limit=1000&from=${from}`),
  ]);
  const metric = select('Mesure', METRICS, { id: 'usage-metric' });
  const charts = h('div');
  const draw = () => {
    const m = metric.input.value;
    const label = METRICS.find(([k]) => k === m)[1];
    const key = (r) =>
      m === 'total_tokens' ? r.prompt_tokens + r.completion_tokens : m === 'requests' ? 1 : (r[m] ?? 0);
    const byDay = days.days.map((d) => [d.day.slice(5), Number(d[m] ?? 0)]);
    const group = (f) =>
      [...rows.data.reduce((acc, r) => acc.set(f(r), (acc.get(f(r)) ?? 0) + key(r)), new Map())]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12);
    charts.replaceChildren(
      h('h3', { class: 'fr-h5' }, `${label} par jour (30 derniers jours)`),
      barChart(byDay, `${label} par jour`),
      h('h3', { class: 'fr-h5' }, `${label} par modèle`),
      barChart(
        group((r) => r.model ?? '(sans modèle)'),
        `${label} par modèle`,
      ),
      h('h3', { class: 'fr-h5' }, `${label} par personne ou clé`),
      barChart(
        group((r) =>
          r.user_id ? `personne ${r.user_id.slice(0, 10)}` : r.key_id ? `clé ${r.key_id.slice(0, 10)}` : '—',
        ),
        `${label} par personne ou clé`,
      ),
    );
  };
  metric.input.addEventListener('change', draw);
  const t = days.totals;
  body.append(
    h(
      'p',
      {},
      `Sur 30 jours : ${fmtNum(t.requests)} requêtes, ${fmtNum(t.total_tokens)} jetons, ${fmtNum(t.credits, 2)} crédits, ${fmtNum(t.energy_wh, 3)} Wh, ${fmtNum(t.carbon_gco2e, 3)} gCO2e (estimations).`,
    ),
    metric.group,
    charts,
  );
  draw();
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
  const out = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    const qs = new URLSearchParams();
    if (rating.input.value) qs.set('rating', rating.input.value);
    if (tag.input.value) qs.set('tag', tag.input.value);
    try {
      const list = await api(`/v1/feedback?${qs}`);
      out.replaceChildren(
        table(
          'Avis reçus',
          ['Date', 'Note', 'Étiquettes', 'Commentaire', 'Début de la réponse'],
          list.data.map((f) => [
            fmtDate(f.created_at),
            f.rating > 0 ? 'Utile' : 'Pas utile',
            f.tags.join(', ') || '—',
            f.comment || '—',
            `${f.answer_excerpt.slice(0, 120)}…`,
          ]),
        ),
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

function genericView(value) {
  if (Array.isArray(value)) {
    if (!value.length) return h('p', {}, 'Aucun élément.');
    if (typeof value[0] === 'object' && value[0]) {
      const cols = Object.keys(value[0]).slice(0, 8);
      return table(
        'Détail',
        cols,
        value.map((r) =>
          cols.map((c) => (typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c] ?? '—'))),
        ),
      );
    }
    return h(
      'ul',
      {},
      value.map((v) => h('li', {}, String(v))),
    );
  }
  if (value && typeof value === 'object') {
    return h(
      'dl',
      {},
      Object.entries(value).flatMap(([k, v]) => [
        h('dt', { class: 'fr-text--bold' }, k),
        h('dd', { class: 'fr-mb-1w' }, typeof v === 'object' && v !== null ? genericView(v) : String(v)),
      ]),
    );
  }
  return h('p', {}, String(value));
}

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
    const list = await api('/v1/conversations?limit=1');
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
            {},
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
    );
  });
  await section(body, 'Flux de données', async (box) => {
    const r = await api('/v1/admin/data-flows');
    box.append(genericView(r.data ?? r.endpoints ?? r));
  });
  await section(body, 'Journal d’audit', async (box) => auditPage(box, undefined));
}

async function auditPage(box, after) {
  const r = await api(`/v1/admin/audit?limit=50${after ? `&after=${after}` : ''}`);
  const entries = r.data ?? [];
  const verifyMsg = h('div', { 'aria-live': 'polite' });
  const zone = h(
    'div',
    { id: 'audit-page' },
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
                    : `Chaîne rompue : ${v.message ?? JSON.stringify(v)}`,
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
      entries.length >= 50
        ? h(
            'button',
            {
              class: 'fr-btn fr-btn--tertiary fr-btn--sm',
              type: 'button',
              onclick: () => {
                zone.remove();
                auditPage(box, entries.at(-1).seq);
              },
            },
            'Page suivante',
          )
        : null,
      after
        ? h(
            'button',
            {
              class: 'fr-btn fr-btn--tertiary fr-btn--sm',
              type: 'button',
              onclick: () => {
                zone.remove();
                auditPage(box, undefined);
              },
            },
            'Début du journal',
          )
        : null,
    ),
    verifyMsg,
    table(
      'Journal d’audit',
      ['N°', 'Date', 'Événement', 'Acteur', 'Détail'],
      entries.map((e) => [String(e.seq), fmtDate(e.at), e.type, e.actor, JSON.stringify(e.data ?? {})]),
    ),
  );
  box.append(zone);
}
