// The inventory of AI tools (admin console, section `outils-ia`): the tools the organisation's
// services use, Guichet first (computed from its configuration; the organisation records its DPIA
// and notes), a form to add or change one, and the exports for the DPO's register (CSV, Markdown,
// PDF).
import { api, can } from './api.js';
import { alertBox, confirmButton, field, h, saveFile, select, table } from './ui.js';

const splitList = (s) =>
  s
    .split(/[,;\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
const yesNo = (v) => (v === null || v === undefined ? 'inconnu' : v ? 'oui' : 'non');
const frDay = (d) => d.split('-').reverse().join('/');
/** The DPIA's status, with its date and reference when the organisation gave them (Guichet). */
const dpiaText = (inv, t) =>
  [
    inv.dpia_statuses[t.dpia_status],
    t.dpia_date ? `le ${frDay(t.dpia_date)}` : '',
    t.dpia_reference ? `(référence : ${t.dpia_reference})` : '',
  ]
    .filter(Boolean)
    .join(' ');

/** Downloads an export (the API needs the key's header: fetched, then saved from a blob). */
async function download(format, zone) {
  try {
    const res = await api(`/v1/admin/ai-tools?format=${format}`, { raw: true });
    const name =
      /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ??
      `inventaire-outils-ia.${format}`;
    saveFile(await res.blob(), name);
  } catch (e) {
    zone.replaceChildren(alertBox('error', null, e.message));
  }
}

export async function renderAiTools(body) {
  const inv = await api('/v1/admin/ai-tools');
  const writable = can('ai_tools:write');
  const messages = h('div', { 'aria-live': 'polite', id: 'ai-tools-messages' });
  const rerender = async (notice) => {
    body.replaceChildren(h('h2', { class: 'fr-h3' }, 'Outils d’IA'));
    await renderAiTools(body);
    if (notice) body.querySelector('#ai-tools-messages')?.replaceChildren(alertBox('success', null, notice));
  };
  const exportButton = (format, label) =>
    h(
      'button',
      {
        type: 'button',
        id: `ai-tools-export-${format}`,
        class: 'fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left',
        onclick: () => download(format, messages),
      },
      label,
    );
  const form = writable ? toolForm(inv, messages, rerender) : null;
  const guichet = inv.data.find((t) => t.computed);
  const ownFields = writable && guichet ? guichetForm(inv, guichet, messages, rerender) : null;
  const rows = inv.data.map((t) => [
    h(
      'span',
      {},
      t.name,
      t.computed ? h('span', { class: 'fr-badge fr-badge--sm fr-badge--info fr-ml-1w' }, 'calculée') : null,
    ),
    t.provider || '—',
    t.hosting_country || '—',
    yesNo(t.foreign_law_exposure) + (t.foreign_laws.length ? ` (${t.foreign_laws.join(', ')})` : ''),
    t.legal_basis ? inv.legal_bases[t.legal_basis] : 'non renseignée',
    dpiaText(inv, t),
    `${inv.checklist.filter((c) => t.checklist[c.id] === true).length} / ${inv.checklist.length}`,
    !writable
      ? '—'
      : t.computed
        ? h(
            'button',
            {
              type: 'button',
              class: 'fr-btn fr-btn--tertiary fr-btn--sm',
              'aria-label': `Modifier l’AIPD et les notes de ${t.name}`,
              onclick: () => ownFields?.focus(),
            },
            'Modifier l’AIPD',
          )
        : h(
            'div',
            { class: 'gc-actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'fr-btn fr-btn--tertiary fr-btn--sm',
                'aria-label': `Modifier ${t.name}`,
                onclick: () => form?.edit(t),
              },
              'Modifier',
            ),
            confirmButton(
              'Retirer',
              { class: 'fr-btn fr-btn--tertiary fr-btn--sm', 'aria-label': `Retirer ${t.name}` },
              `Retirer « ${t.name} » de l’inventaire ?`,
              async () => {
                await api(`/v1/admin/ai-tools/${encodeURIComponent(t.id)}`, { method: 'DELETE' });
                await rerender(`« ${t.name} » a été retiré de l’inventaire.`);
              },
              messages,
            ),
          ),
  ]);
  body.append(
    h(
      'p',
      {},
      'Les outils d’intelligence artificielle utilisés par vos services, pour le registre du délégué à la protection des données. Guichet y figure d’office : sa ligne est calculée à partir de sa configuration et de ses flux de données. Les points de contrôle suivent les ',
      h(
        'a',
        {
          href: inv.source,
          target: '_blank',
          rel: 'noopener',
          title: 'recommandations de la CNIL – nouvelle fenêtre',
        },
        'recommandations de la CNIL sur le déploiement d’une IA générative',
      ),
      '.',
    ),
    h(
      'div',
      { class: 'gc-actions fr-mb-2w' },
      exportButton('csv', 'Exporter (CSV)'),
      exportButton('md', 'Rapport (Markdown)'),
      exportButton('pdf', 'Rapport (PDF)'),
    ),
    messages,
    h(
      'div',
      { id: 'ai-tools-table' },
      table(
        'Inventaire des outils d’IA',
        [
          'Outil',
          'Fournisseur',
          'Hébergement',
          'Loi extra-européenne',
          'Base légale',
          'AIPD',
          'Conformité CNIL',
          'Actions',
        ],
        rows,
      ),
    ),
    ownFields?.element ?? null,
    form?.element ??
      alertBox(
        'info',
        null,
        'Lecture seule : seuls l’administrateur et le délégué à la protection des données modifient l’inventaire.',
      ),
  );
}

/**
 * Guichet's entry: only what its configuration cannot tell is recorded by the organisation (its
 * DPIA and its notes); the rest stays computed.
 */
function guichetForm(inv, t, messages, rerender) {
  const dpia = select('Analyse d’impact (AIPD)', Object.entries(inv.dpia_statuses), { id: 'guichet-dpia' });
  dpia.input.value = t.dpia_status;
  const date = field('Date de l’AIPD (facultatif)', {
    id: 'guichet-dpia-date',
    type: 'date',
    value: t.dpia_date ?? '',
  });
  const reference = field(
    'Référence de l’AIPD (facultatif)',
    { id: 'guichet-dpia-ref', maxlength: 200, value: t.dpia_reference ?? '' },
    'Par exemple sa référence dans votre registre des traitements.',
  );
  const notes = field('Notes de l’organisation', {
    id: 'guichet-notes',
    tag: 'textarea',
    rows: 2,
    maxlength: 4000,
  });
  notes.input.value = t.org_notes ?? '';
  const element = h(
    'form',
    {
      id: 'ai-guichet-form',
      class: 'fr-mt-4w',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api('/v1/admin/ai-tools/guichet', {
            method: 'PATCH',
            body: {
              dpia_status: dpia.input.value,
              dpia_date: date.input.value || null,
              dpia_reference: reference.input.value.trim(),
              org_notes: notes.input.value.trim(),
            },
          });
          await rerender('L’AIPD et les notes de l’organisation pour Guichet sont enregistrées.');
        } catch (err) {
          messages.replaceChildren(alertBox('error', null, err.message));
        }
      },
    },
    h(
      'fieldset',
      { class: 'fr-fieldset', 'aria-describedby': 'ai-guichet-hint' },
      h('legend', { class: 'fr-fieldset__legend fr-h4' }, 'AIPD et notes de l’organisation pour Guichet'),
      h(
        'p',
        { class: 'fr-fieldset__element fr-text--sm', id: 'ai-guichet-hint' },
        'Les autres rubriques de la ligne de Guichet sont calculées à partir de sa configuration ; seules celles-ci sont propres à votre organisation.',
      ),
      [dpia.group, date.group, reference.group, notes.group].map((g) =>
        h('div', { class: 'fr-fieldset__element' }, g),
      ),
      h(
        'div',
        { class: 'fr-fieldset__element' },
        h('button', { class: 'fr-btn', type: 'submit', id: 'guichet-submit' }, 'Enregistrer'),
      ),
    ),
  );
  return { element, focus: () => dpia.input.focus() };
}

/** The form that adds a tool, or changes the one being edited. */
function toolForm(inv, messages, rerender) {
  let editing = null;
  const name = field('Nom de l’outil', { id: 'ai-name', required: true, maxlength: 200 });
  const purpose = field('Finalité', { id: 'ai-purpose', tag: 'textarea', rows: 2, maxlength: 2000 });
  const services = field('Services qui l’utilisent', { id: 'ai-services' }, 'Séparés par des virgules.');
  const categories = field(
    'Catégories de données traitées',
    { id: 'ai-categories' },
    'Séparées par des virgules.',
  );
  const check = (id, label) => {
    const input = h('input', { type: 'checkbox', id });
    return {
      input,
      group: h(
        'div',
        { class: 'fr-checkbox-group' },
        input,
        h('label', { class: 'fr-label', for: id }, label),
      ),
    };
  };
  const personal = check('ai-personal', 'Traite des données personnelles');
  const sensitive = check('ai-sensitive', 'Traite des données sensibles (santé, opinions, infractions…)');
  const sensitiveDetails = field('Précisions sur les données sensibles', { id: 'ai-sensitive-details' });
  const provider = field('Fournisseur', { id: 'ai-provider' });
  const country = field('Pays d’hébergement', { id: 'ai-country' });
  const exposure = select(
    'Exposé à un droit extra-européen (par exemple le CLOUD Act américain)',
    [
      ['', 'Inconnu'],
      ['true', 'Oui'],
      ['false', 'Non'],
    ],
    { id: 'ai-exposure' },
  );
  const laws = field(
    'Lois concernées',
    { id: 'ai-laws' },
    'Séparées par des virgules, par exemple : US CLOUD Act.',
  );
  const basis = select(
    'Base légale (article 6 du RGPD)',
    [['', 'Non renseignée'], ...Object.entries(inv.legal_bases)],
    { id: 'ai-basis' },
  );
  const dpia = select('Analyse d’impact (AIPD)', Object.entries(inv.dpia_statuses), { id: 'ai-dpia' });
  // A new tool's DPIA is « à faire » until the DPO says otherwise (kept by the form's reset too).
  dpia.input.querySelector('option[value="to_do"]').defaultSelected = true;
  const checks = inv.checklist.map((c) => ({ id: c.id, ...check(`ai-check-${c.id}`, c.label) }));
  const notes = field('Notes', { id: 'ai-notes', tag: 'textarea', rows: 2, maxlength: 4000 });
  const legend = h('span', {}, 'Ajouter un outil');
  const cancel = h(
    'button',
    { type: 'button', class: 'fr-btn fr-btn--secondary fr-ml-2w', hidden: true, onclick: () => reset() },
    'Annuler la modification',
  );
  const reset = () => {
    editing = null;
    element.reset();
    legend.textContent = 'Ajouter un outil';
    cancel.hidden = true;
  };
  const element = h(
    'form',
    {
      id: 'ai-tool-form',
      class: 'fr-mt-4w',
      onsubmit: async (e) => {
        e.preventDefault();
        const body = {
          name: name.input.value.trim(),
          purpose: purpose.input.value.trim(),
          services: splitList(services.input.value),
          data: {
            categories: splitList(categories.input.value),
            personal_data: personal.input.checked,
            sensitive_data: sensitive.input.checked,
            sensitive_details: sensitiveDetails.input.value.trim(),
          },
          provider: provider.input.value.trim(),
          hosting_country: country.input.value.trim(),
          foreign_law_exposure: exposure.input.value === '' ? null : exposure.input.value === 'true',
          foreign_laws: splitList(laws.input.value),
          legal_basis: basis.input.value || null,
          dpia_status: dpia.input.value,
          checklist: Object.fromEntries(checks.map((c) => [c.id, c.input.checked])),
          notes: notes.input.value.trim(),
        };
        try {
          if (editing)
            await api(`/v1/admin/ai-tools/${encodeURIComponent(editing)}`, { method: 'PATCH', body });
          else await api('/v1/admin/ai-tools', { method: 'POST', body });
          await rerender(`« ${body.name} » est enregistré dans l’inventaire.`);
        } catch (err) {
          messages.replaceChildren(alertBox('error', null, err.message));
        }
      },
    },
    h(
      'fieldset',
      { class: 'fr-fieldset' },
      h('legend', { class: 'fr-fieldset__legend fr-h4' }, legend),
      [
        name.group,
        purpose.group,
        services.group,
        categories.group,
        personal.group,
        sensitive.group,
        sensitiveDetails.group,
        provider.group,
        country.group,
        exposure.group,
        laws.group,
        basis.group,
        dpia.group,
      ].map((g) => h('div', { class: 'fr-fieldset__element' }, g)),
      h(
        'div',
        { class: 'fr-fieldset__element' },
        h(
          'fieldset',
          { class: 'fr-fieldset', id: 'ai-checklist' },
          h(
            'legend',
            { class: 'fr-fieldset__legend--regular fr-fieldset__legend' },
            'Points de contrôle (recommandations de la CNIL)',
          ),
          checks.map((c) => h('div', { class: 'fr-fieldset__element' }, c.group)),
        ),
      ),
      h('div', { class: 'fr-fieldset__element' }, notes.group),
      h(
        'div',
        { class: 'fr-fieldset__element' },
        h('button', { class: 'fr-btn', type: 'submit', id: 'ai-submit' }, 'Enregistrer'),
        cancel,
      ),
    ),
  );
  const edit = (t) => {
    editing = t.id;
    legend.textContent = `Modifier « ${t.name} »`;
    cancel.hidden = false;
    name.input.value = t.name;
    purpose.input.value = t.purpose;
    services.input.value = t.services.join(', ');
    categories.input.value = t.data.categories.join(', ');
    personal.input.checked = t.data.personal_data;
    sensitive.input.checked = t.data.sensitive_data;
    sensitiveDetails.input.value = t.data.sensitive_details;
    provider.input.value = t.provider;
    country.input.value = t.hosting_country;
    exposure.input.value = t.foreign_law_exposure === null ? '' : String(t.foreign_law_exposure);
    laws.input.value = t.foreign_laws.join(', ');
    basis.input.value = t.legal_basis ?? '';
    dpia.input.value = t.dpia_status;
    for (const c of checks) c.input.checked = t.checklist[c.id] === true;
    notes.input.value = t.notes;
    name.input.focus();
  };
  return { element, edit };
}
