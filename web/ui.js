// Small DOM helpers shared by the screens (no framework: plain ES modules).

/** Creates an element: h('p', { class: 'fr-text' }, 'texte', child…). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A DSFR alert; `type` is info, success, warning or error. */
export function alertBox(type, title, text, extra) {
  return h(
    'div',
    {
      class: `fr-alert fr-alert--${type} fr-alert--sm fr-mb-2w`,
      role: type === 'error' ? 'alert' : 'status',
    },
    title ? h('h3', { class: 'fr-alert__title' }, title) : null,
    text ? h('p', {}, text) : null,
    extra ?? null,
  );
}

/** A message for a screen whose API is not available on this server. */
export function unavailable(what) {
  return alertBox(
    'info',
    `${what} : fonction indisponible`,
    'Cette fonction n’est pas encore disponible sur ce serveur Guichet (l’API correspondante n’y est pas installée).',
  );
}

export const fmtDate = (iso) => {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? String(iso)
    : d.toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
};
export const fmtDay = (iso) => {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleDateString('fr-FR');
};
export const fmtNum = (n, digits = 0) =>
  Number(n ?? 0).toLocaleString('fr-FR', { maximumFractionDigits: digits });

/** A simple DSFR table with a caption. */
export function table(caption, headers, rows) {
  return h(
    'div',
    { class: 'fr-table fr-table--no-caption' },
    h(
      'table',
      { tabindex: '0' },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.length
          ? rows.map((r) =>
              h(
                'tr',
                {},
                r.map((cell) => h('td', {}, cell)),
              ),
            )
          : h('tr', {}, h('td', { colspan: headers.length }, 'Aucun élément.')),
      ),
    ),
  );
}

/** Text input with its label in the DSFR style. */
export function field(label, attrs = {}, hint) {
  const id = attrs.id ?? `f-${Math.random().toString(36).slice(2, 9)}`;
  const input = h(attrs.tag ?? 'input', { class: 'fr-input', ...attrs, tag: null, id });
  return {
    group: h(
      'div',
      { class: 'fr-input-group' },
      h(
        'label',
        { class: 'fr-label', for: id },
        label,
        hint ? h('span', { class: 'fr-hint-text' }, hint) : null,
      ),
      input,
    ),
    input,
  };
}

export function select(label, options, attrs = {}) {
  const id = attrs.id ?? `s-${Math.random().toString(36).slice(2, 9)}`;
  const el = h(
    'select',
    { class: 'fr-select', ...attrs, id },
    options.map(([v, t]) => h('option', { value: v }, t)),
  );
  return {
    group: h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: id }, label), el),
    input: el,
  };
}

/**
 * A DSFR form fieldset: its legend, one element per field group (inline ones side by side) and the
 * submit button.
 */
export function fieldset(legend, groups, submitLabel, { inline = false } = {}) {
  const element = inline ? 'fr-fieldset__element fr-fieldset__element--inline' : 'fr-fieldset__element';
  return h(
    'fieldset',
    { class: 'fr-fieldset' },
    h('legend', { class: 'fr-fieldset__legend' }, legend),
    groups.map((g) => h('div', { class: element }, g)),
    h(
      'div',
      { class: 'fr-fieldset__element' },
      h('button', { class: 'fr-btn', type: 'submit' }, submitLabel),
    ),
  );
}

/**
 * A button that asks `question` first, then runs `action`; a failure is shown in `errorZone` as a
 * DSFR alert (nothing is changed when the person says no).
 */
export function confirmButton(label, attrs, question, action, errorZone) {
  return h(
    'button',
    {
      type: 'button',
      ...attrs,
      onclick: async () => {
        if (!confirm(question)) return;
        try {
          await action();
        } catch (err) {
          errorZone.replaceChildren(alertBox('error', null, err.message));
        }
      },
    },
    label,
  );
}

/** Saves a Blob as a file named `name` (a download the browser shows as such). */
export function saveFile(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}
