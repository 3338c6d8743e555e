// The advisor's assistant: ask, read the streamed answer (Markdown) with its numbered sources,
// stop, regenerate, edit a question, follow up; history (search, rename, delete, retention),
// feedback, copy.
import { api, headers, readSse } from './api.js';
import { linkCitations, renderMarkdown } from './markdown.js';
import { detectPersonalData } from './pii.js';
import { alertBox, fmtDay, h, saveFile } from './ui.js';

const NOTICE = 'guichet.notice.v1';
const DRAFT = 'guichet.draft';
const TAGS_UP = ['clair', 'complet', 'sources fiables'];
const TAGS_DOWN = ['erreur', 'incomplet', 'manque de sources', 'trop long'];
const STALE_MS = 365 * 86400_000;
let maxChars = 4000;
let retentionDays = 90;
let corpusInfo; // undefined: not asked yet; null: /health has no corpus

export async function renderAssistant(main, hash) {
  const convId = hash.split('/')[2] || null;
  document.title = 'Assistant – Guichet';
  const sources = h(
    'section',
    { class: 'gc-sources', 'aria-labelledby': 'sources-title', id: 'sources' },
    h('h2', { class: 'fr-h5', id: 'sources-title' }, 'Sources'),
    h('p', { class: 'fr-text--sm', id: 'sources-empty' }, 'Les sources de la réponse s’affichent ici.'),
  );
  const thread = h('div', { class: 'gc-thread', 'aria-live': 'polite', 'aria-busy': 'false' });
  const history = h('nav', { class: 'gc-history', 'aria-labelledby': 'history-title' });
  const status = h('div', { id: 'ask-status' });
  const corpus = h('p', { class: 'fr-text--sm fr-mb-2w', id: 'corpus-date', hidden: true });
  const ctx = { convId, thread, sources, status, main, stream: null };

  main.replaceChildren(
    h('h1', { class: 'fr-h2' }, 'Assistant'),
    ...[firstVisitNotice()].filter(Boolean),
    h(
      'p',
      { class: 'fr-badge fr-badge--info fr-badge--sm fr-mb-1w' },
      'Réponses générées par une IA, à vérifier',
    ),
    corpus,
    h(
      'div',
      { class: 'gc-chat' },
      history,
      h(
        'section',
        { 'aria-labelledby': 'thread-title', class: 'gc-main' },
        h('h2', { class: 'fr-h5', id: 'thread-title' }, 'Conversation'),
        thread,
        status,
        askForm(ctx),
      ),
      sources,
    ),
  );
  showCorpusDate(corpus);
  await loadHistory(history, ctx);
  if (convId) await loadConversation(ctx);
}

/** The date of the national corpus (GET /health `corpus`), hidden when the server gives none. */
async function showCorpusDate(el) {
  if (corpusInfo === undefined) {
    try {
      const r = await fetch('/health', { credentials: 'same-origin' });
      corpusInfo = r.ok ? ((await r.json()).corpus ?? null) : null;
    } catch {
      corpusInfo = null;
    }
  }
  const c = corpusInfo;
  if (!c?.date) return;
  const stale = typeof c.stale === 'boolean' ? c.stale : isOld(c.date);
  el.replaceChildren(
    `Fiches service-public.fr à jour du ${fmtDay(c.date)}`,
    c.last_refresh ? ` (dernière vérification le ${fmtDay(c.last_refresh)})` : '',
    stale
      ? h(
          'span',
          { class: 'fr-badge fr-badge--warning fr-badge--sm fr-ml-1w' },
          'Corpus ancien : vérifiez sur service-public.fr',
        )
      : '',
  );
  el.hidden = false;
}

const isOld = (date) => {
  const t = new Date(date).getTime();
  return Number.isFinite(t) && Date.now() - t > STALE_MS;
};

/** Whether a source is outdated: the server's `stale` when given, else its date older than 12 months. */
export function isStale(c) {
  if (typeof c.stale === 'boolean') return c.stale;
  return c.date ? isOld(c.date) : false;
}

function firstVisitNotice() {
  if (localStorage.getItem(NOTICE)) return ''; // not null: replaceChildren would show the word null
  const box = h(
    'div',
    { class: 'fr-callout fr-mb-3w', id: 'first-visit' },
    h('h2', { class: 'fr-callout__title fr-h5' }, 'Avant de commencer'),
    h(
      'p',
      { class: 'fr-callout__text fr-text--md' },
      'Les réponses de Guichet sont produites par une intelligence artificielle (règlement européen sur l’IA) à partir des fiches de service-public.fr et des documents de votre organisation. ',
      'Elles peuvent être incomplètes ou fausses : vérifiez-les dans les sources citées avant de les transmettre à l’usager.',
    ),
    h(
      'p',
      { class: 'fr-callout__text fr-text--md', id: 'retention-notice' },
      `Ce qui est conservé : vos questions, les réponses et vos avis, visibles de vous seul, pendant ${retentionDays} jours après le dernier message, puis supprimés automatiquement. `,
      'Les données personnelles saisies (NIR, IBAN, téléphone…) sont pseudonymisées avant tout envoi à un modèle externe. Évitez d’en saisir quand ce n’est pas utile.',
    ),
    h(
      'button',
      {
        class: 'fr-btn',
        type: 'button',
        onclick: () => {
          localStorage.setItem(NOTICE, '1');
          box.remove();
          document.getElementById('question')?.focus();
        },
      },
      'J’ai compris',
    ),
  );
  return box;
}

/* ---------- History: search, rename, delete ---------- */

async function loadHistory(nav, ctx) {
  let list;
  try {
    list = await api('/v1/conversations?limit=100');
  } catch (e) {
    nav.replaceChildren(
      h('h2', { class: 'fr-h5', id: 'history-title' }, 'Historique'),
      alertBox('error', null, e.message),
    );
    return;
  }
  maxChars = list.max_question_chars ?? maxChars;
  retentionDays = list.retention_days ?? retentionDays;
  const notice = document.getElementById('retention-notice');
  if (notice)
    notice.firstChild.textContent = `Ce qui est conservé : vos questions, les réponses et vos avis, visibles de vous seul, pendant ${retentionDays} jours après le dernier message, puis supprimés automatiquement. `;
  const counter = document.getElementById('question-count');
  if (counter) counter.dispatchEvent(new Event('refresh'));
  const ul = h('ul', { id: 'history-list' });
  const empty = h('p', { class: 'fr-text--sm', hidden: true }, 'Aucune conversation ne correspond.');
  const search = h('input', {
    class: 'fr-input',
    type: 'search',
    id: 'history-search',
    autocomplete: 'off',
    oninput: () => {
      const q = normalise(search.value);
      let shown = 0;
      for (const li of ul.children) {
        const match = !q || normalise(li.dataset.title).includes(q);
        li.hidden = !match;
        if (match) shown++;
      }
      empty.hidden = shown > 0;
    },
  });
  for (const c of list.data) ul.append(historyItem(c, ctx));
  nav.replaceChildren(
    h('h2', { class: 'fr-h5', id: 'history-title' }, 'Historique'),
    h(
      'p',
      { class: 'fr-text--xs' },
      retentionDays > 0
        ? `Conservé ${retentionDays} jours après le dernier message.`
        : 'Conservé jusqu’à suppression.',
    ),
    h(
      'a',
      {
        class: 'fr-btn fr-btn--secondary fr-btn--sm fr-icon-add-line fr-btn--icon-left fr-mb-2w',
        href: '#/assistant',
        id: 'new-conversation',
        onclick: (e) => {
          if (location.hash === '#/assistant') {
            e.preventDefault();
            renderAssistant(ctx.main, '#/assistant').then(() => document.getElementById('question')?.focus());
          }
        },
      },
      'Nouvelle conversation',
    ),
    ...(list.data.length
      ? [
          h(
            'div',
            { class: 'fr-input-group fr-mb-1w' },
            h('label', { class: 'fr-label', for: 'history-search' }, 'Rechercher une conversation'),
            search,
          ),
          ul,
          empty,
        ]
      : [h('p', { class: 'fr-text--sm' }, 'Aucune conversation.')]),
  );
}

const normalise = (s) =>
  String(s ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase();

function historyItem(c, ctx) {
  const title = c.title || 'Sans titre';
  const li = h('li', { dataset: { title, id: c.id } });
  const show = () =>
    li.replaceChildren(
      h(
        'a',
        {
          href: `#/assistant/${c.id}`,
          title: `${title} – ${fmtDay(c.updated_at)}`,
          ...(c.id === ctx.convId ? { 'aria-current': 'page' } : {}),
        },
        title,
      ),
      h(
        'button',
        {
          class: 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-edit-line',
          type: 'button',
          title: `Renommer « ${title} »`,
          onclick: () => rename(),
        },
        `Renommer « ${title} »`,
      ),
      h(
        'button',
        {
          class: 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-delete-line',
          type: 'button',
          title: `Supprimer « ${title} »`,
          onclick: () => removeConversation(c, ctx),
        },
        `Supprimer « ${title} »`,
      ),
    );
  const rename = () => {
    const id = `rename-${c.id}`;
    const input = h('input', { class: 'fr-input', id, value: title, maxlength: '200', required: true });
    const error = h('div', { 'aria-live': 'assertive' });
    li.replaceChildren(
      h(
        'form',
        {
          class: 'gc-rename',
          onsubmit: async (e) => {
            e.preventDefault();
            const next = input.value.trim();
            if (!next) return input.focus();
            try {
              await api(`/v1/conversations/${encodeURIComponent(c.id)}`, {
                method: 'PATCH',
                body: { title: next },
              });
            } catch (err) {
              error.replaceChildren(alertBox('error', null, err.message));
              return;
            }
            c.title = next;
            li.dataset.title = next;
            li.replaceWith(historyItem(c, ctx));
            document.querySelector(`li[data-id="${CSS.escape(c.id)}"] a`)?.focus();
          },
        },
        h('label', { class: 'fr-label', for: id }, 'Nouveau titre'),
        input,
        h(
          'div',
          { class: 'gc-actions' },
          h('button', { class: 'fr-btn fr-btn--sm', type: 'submit' }, 'Enregistrer'),
          h(
            'button',
            {
              class: 'fr-btn fr-btn--sm fr-btn--secondary',
              type: 'button',
              onclick: () => {
                show();
                li.querySelector('a')?.focus();
              },
            },
            'Annuler',
          ),
        ),
        error,
      ),
    );
    input.focus();
    input.select();
  };
  show();
  return li;
}

async function removeConversation(c, ctx) {
  if (!confirm(`Supprimer la conversation « ${c.title || 'Sans titre'} » ? Cette action est définitive.`))
    return;
  try {
    await api(`/v1/conversations/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
  } catch (e) {
    showError(ctx, alertBox('error', null, e.message));
    return;
  }
  if (c.id === ctx.convId) location.hash = '#/assistant';
  else renderAssistant(ctx.main, location.hash);
}

/* ---------- Thread ---------- */

async function loadConversation(ctx) {
  let conv;
  try {
    conv = await api(`/v1/conversations/${encodeURIComponent(ctx.convId)}`);
  } catch (e) {
    ctx.thread.replaceChildren(alertBox('error', null, e.message));
    return;
  }
  let lastUser = null;
  for (const m of conv.messages) {
    if (m.role === 'user') {
      lastUser = userMessage(ctx, m.content, m.id);
      ctx.thread.append(lastUser);
    } else if (m.role === 'assistant') {
      const el = assistantMessage(ctx);
      el.dataset.question = lastUser?.dataset.id ?? '';
      finishAnswer(ctx, el, m.content, m.citations, m.id, m.feedback, null, m.guichet?.reviewed_at ?? null);
      if (!m.complete) el.prepend(alertBox('warning', null, 'Réponse interrompue : elle est incomplète.'));
    }
  }
  markLast(ctx);
}

function userMessage(ctx, text, id) {
  const body = h('p', { class: 'fr-mb-0 gc-question-text' }, text);
  const el = h(
    'div',
    { class: 'gc-msg gc-msg--user', dataset: { id: id ?? '' } },
    h('p', { class: 'fr-text--bold fr-mb-1v' }, 'Question'),
    body,
  );
  const edit = h(
    'button',
    {
      class: 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-edit-line fr-btn--icon-left gc-edit',
      type: 'button',
      onclick: () => editQuestion(ctx, el, body.textContent),
    },
    'Modifier la question',
  );
  el.append(h('div', { class: 'gc-actions' }, edit));
  return el;
}

/** Turns a question into a form; sending it replaces the question and everything after it. */
function editQuestion(ctx, el, text) {
  if (ctx.stream) return;
  const id = `edit-${Math.random().toString(36).slice(2, 9)}`;
  const area = h('textarea', { class: 'fr-input', id, rows: '3', maxlength: String(maxChars) });
  area.value = text;
  const form = h(
    'form',
    {
      onsubmit: (e) => {
        e.preventDefault();
        const q = area.value.trim();
        if (!q) return area.focus();
        ask(ctx, q, { replaceEl: el, replace: el.dataset.id || null });
      },
    },
    h('label', { class: 'fr-label', for: id }, 'Modifier la question'),
    area,
    h(
      'div',
      { class: 'gc-actions' },
      h('button', { class: 'fr-btn fr-btn--sm', type: 'submit' }, 'Renvoyer la question'),
      h(
        'button',
        {
          class: 'fr-btn fr-btn--sm fr-btn--secondary',
          type: 'button',
          onclick: () => {
            const fresh = userMessage(ctx, text, el.dataset.id);
            el.replaceWith(fresh);
            fresh.querySelector('.gc-edit')?.focus();
          },
        },
        'Annuler',
      ),
    ),
  );
  el.replaceChildren(h('p', { class: 'fr-text--bold fr-mb-1v' }, 'Question'), form);
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  area.focus();
}

function assistantMessage(ctx) {
  const text = h('div', { class: 'gc-answer-text fr-mb-0' });
  const el = h(
    'article',
    { class: 'gc-msg gc-msg--assistant', 'aria-label': 'Réponse de l’assistant' },
    h(
      'p',
      { class: 'fr-text--bold fr-mb-1v gc-answer-head' },
      'Réponse ',
      h('span', { class: 'fr-badge fr-badge--sm fr-badge--new gc-kind' }, 'IA'),
    ),
    text,
  );
  ctx.thread.append(el);
  return el;
}

/** Only the last answer offers "Régénérer". */
function markLast(ctx) {
  const answers = ctx.thread.querySelectorAll('.gc-msg--assistant');
  answers.forEach((a, i) => {
    const btn = a.querySelector('.gc-regenerate');
    if (btn) btn.hidden = i !== answers.length - 1;
  });
}

function citeLink(ctx, c, msgId) {
  const tip = `tip-${msgId}-${c.index}`;
  const wrap = h(
    'span',
    { class: 'gc-cite-wrap' },
    h(
      'a',
      {
        class: 'gc-cite',
        href: `#src-${msgId}-${c.index}`,
        'aria-describedby': tip,
        onclick: (e) => {
          e.preventDefault();
          showSources(ctx, ctx.citations, msgId, c.index);
        },
      },
      `[${c.index}]`,
    ),
    h(
      'span',
      { class: 'gc-preview', role: 'tooltip', id: tip },
      h('strong', {}, `Source ${c.index} : ${c.title}`),
      c.snippet ? h('span', { class: 'gc-preview__snippet' }, c.snippet.slice(0, 280)) : null,
      isStale(c) ? h('span', { class: 'gc-preview__stale' }, staleText(c)) : null,
    ),
  );
  return wrap;
}

const yearOf = (d) => {
  const t = new Date(d);
  return Number.isNaN(t.getTime()) ? null : t.getFullYear();
};

function staleText(c) {
  const y = c.date ? yearOf(c.date) : null;
  if (c.local) return `document${y ? ` de ${y}` : ''} : vérifiez qu’il est toujours à jour`;
  return `source${y ? ` de ${y}` : ' ancienne'} : vérifiez sur service-public.fr`;
}

function showSources(ctx, citations, msgId, focus) {
  const items = [...citations].sort((a, b) => Number(b.cited) - Number(a.cited) || a.index - b.index);
  ctx.sources.replaceChildren(
    h('h2', { class: 'fr-h5', id: 'sources-title' }, 'Sources'),
    items.length
      ? h(
          'ul',
          { class: 'gc-source-list' },
          items.map((c) =>
            h(
              'li',
              { id: `src-${msgId}-${c.index}`, tabindex: '-1' },
              h(
                'p',
                { class: 'fr-text--bold fr-mb-1v' },
                h('span', { class: 'gc-source-n' }, `[${c.index}]`),
                ' ',
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
              ),
              h(
                'p',
                { class: 'fr-mb-1v' },
                c.local
                  ? h('span', { class: 'fr-badge fr-badge--sm fr-badge--green-emeraude' }, 'Local')
                  : h('span', { class: 'fr-badge fr-badge--sm fr-badge--blue-ecume' }, 'National'),
                ' ',
                c.cited ? h('span', { class: 'fr-badge fr-badge--sm fr-badge--success' }, 'Citée') : null,
                ' ',
                isStale(c)
                  ? h('span', { class: 'fr-badge fr-badge--sm fr-badge--warning gc-stale' }, staleText(c))
                  : null,
                c.ocr
                  ? h(
                      'span',
                      { class: 'fr-badge fr-badge--sm fr-badge--info gc-ocr' },
                      'Texte reconnu automatiquement (OCR)',
                    )
                  : null,
              ),
              c.local
                ? h(
                    'p',
                    { class: 'fr-text--xs fr-mb-1v' },
                    `Document de « ${c.collection_name ?? c.collection} »`,
                  )
                : null,
              c.snippet ? h('blockquote', {}, c.snippet) : null,
              h(
                'p',
                {
                  class: 'fr-text--xs fr-mb-0',
                  dataset: { doc: c.local && !c.date ? (c.document_id ?? '') : '' },
                },
                c.date
                  ? `${c.local ? 'Déposé ou modifié le' : 'Mise à jour'} : ${fmtDay(c.date)}`
                  : c.local
                    ? 'Document déposé par votre organisation'
                    : 'Date de mise à jour non indiquée',
              ),
              c.local && c.document_id
                ? h(
                    'button',
                    {
                      class:
                        'fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-file-text-line fr-btn--icon-left',
                      type: 'button',
                      onclick: () => openDocument(c),
                    },
                    'Ouvrir le document',
                    h('span', { class: 'fr-sr-only' }, ` « ${c.title} »`),
                  )
                : null,
            ),
          ),
        )
      : h('p', { class: 'fr-text--sm' }, 'Aucune source pour cette réponse.'),
  );
  if (focus) document.getElementById(`src-${msgId}-${focus}`)?.focus();
  // A local document's upload date, when the citation carries none.
  for (const el of ctx.sources.querySelectorAll('[data-doc]:not([data-doc=""])')) {
    api(`/v1/documents/${encodeURIComponent(el.dataset.doc)}`)
      .then((d) => {
        if (d?.created_at) el.textContent = `Déposé le ${fmtDay(d.updated_at ?? d.created_at)}`;
      })
      .catch(() => {});
  }
}

/** Opens a local document (its text, rendered) in a dialog. */
async function openDocument(c) {
  const body = h('div', { class: 'gc-answer-text' }, h('p', {}, 'Chargement…'));
  const close = h('button', { class: 'fr-btn--close fr-btn', type: 'button', title: 'Fermer' }, 'Fermer');
  const titleId = `doc-title-${c.document_id}`;
  const dialog = h(
    'dialog',
    { class: 'gc-doc-dialog', 'aria-labelledby': titleId },
    h('div', { class: 'fr-modal__header' }, close),
    h('h2', { class: 'fr-h4', id: titleId }, c.title),
    body,
  );
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  try {
    const d = await api(`/v1/documents/${encodeURIComponent(c.document_id)}`);
    body.replaceChildren(
      h('p', { class: 'fr-text--sm' }, `${d.file_name ?? c.title} — déposé le ${fmtDay(d.created_at)}`),
      renderMarkdown(d.markdown || ''),
    );
  } catch (e) {
    body.replaceChildren(alertBox('error', null, e.message));
  }
}

/** An answer as plain text (copied or exported): the AI mention travels with it (AI Act art. 50). */
function plainText(text, citations, reviewedAt) {
  const cited = citations.filter((c) => c.cited);
  const lines = cited.map(
    (c) =>
      `[${c.index}] ${c.title}${c.url ? ` – ${c.url}` : c.local ? ` – document local (${c.collection_name ?? c.collection})` : ''}`,
  );
  const plain = text
    .trim()
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|\s)\*([^*\s][^*]*)\*/g, '$1$2')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '$1 ($2)');
  return `${plain}\n\nSources :\n${lines.join('\n') || '(aucune)'}\n\n${aiMention(reviewedAt)}`;
}

/** « relue par un agent » only once the agent ticked « J'ai relu cette réponse ». */
export function aiMention(reviewedAt) {
  return reviewedAt
    ? `Réponse générée par une intelligence artificielle (Guichet) à partir des sources ci-dessus, relue par un agent le ${fmtDay(reviewedAt)}.`
    : 'Réponse générée par une intelligence artificielle (Guichet) à partir des sources ci-dessus, sans relecture par un agent.';
}

/** The « J'ai relu cette réponse » box: stored on the answer, read by the copy and the export. */
function reviewBox(ctx, el, msgId) {
  const id = `review-${msgId}`;
  const input = h('input', { type: 'checkbox', id, class: 'gc-review' });
  input.checked = Boolean(el.dataset.reviewedAt);
  const status = h('p', { class: 'fr-text--xs fr-mb-0', 'aria-live': 'polite' });
  input.addEventListener('change', async () => {
    input.disabled = true;
    try {
      const r = await api(
        `/v1/conversations/${encodeURIComponent(ctx.convId)}/messages/${encodeURIComponent(msgId)}/review`,
        { method: 'POST', body: { reviewed: input.checked } },
      );
      el.dataset.reviewedAt = r.guichet.reviewed_at ?? '';
      status.textContent = input.checked
        ? 'Relecture enregistrée : la copie et l’export indiquent « relue par un agent ».'
        : 'Relecture retirée.';
    } catch (err) {
      input.checked = !input.checked;
      status.replaceChildren(alertBox('error', null, err.message));
    } finally {
      input.disabled = false;
    }
  });
  return h(
    'div',
    { class: 'fr-checkbox-group fr-checkbox-group--sm fr-mt-1w gc-review-box' },
    input,
    h('label', { class: 'fr-label', for: id }, 'J’ai relu cette réponse'),
    status,
  );
}

/** Saves an answer as a text file (same text as the copy, AI mention included). */
function exportAnswer(text) {
  saveFile(new Blob([text], { type: 'text/plain;charset=utf-8' }), 'reponse-guichet.txt');
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h('textarea', { 'aria-hidden': 'true', style: 'position:fixed;left:-9999px' });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.textContent = 'Copié';
  setTimeout(() => (button.textContent = 'Copier la réponse'), 2000);
}

const EXTRACTIVE = /non rédigée par une IA générative/;

function finishAnswer(ctx, el, text, citations, msgId, feedback, model, reviewedAt = null) {
  const textEl = el.querySelector('.gc-answer-text');
  textEl.replaceChildren(renderMarkdown(text));
  const byId = new Map(citations.map((c) => [c.index, c]));
  ctx.citations = citations;
  linkCitations(textEl, new Set(byId.keys()), (n) => citeLink(ctx, byId.get(n), msgId));
  if ((model && /extractive/.test(model)) || EXTRACTIVE.test(text)) {
    const kind = el.querySelector('.gc-kind');
    if (kind) {
      kind.textContent = 'Extraits des sources';
      kind.className = 'fr-badge fr-badge--sm fr-badge--info gc-kind';
    }
  }
  el.dataset.id = msgId ?? '';
  el.dataset.reviewedAt = reviewedAt ?? '';
  const asText = () => plainText(text, citations, el.dataset.reviewedAt || null);
  // A passage selected and copied by hand carries the AI mention too (plain text and HTML).
  el.oncopy = (e) => {
    const sel = document.getSelection();
    if (!sel || sel.isCollapsed || !e.clipboardData || !sel.toString().trim()) return;
    const mention = aiMention(el.dataset.reviewedAt || null);
    const html = h('div');
    for (let i = 0; i < sel.rangeCount; i++) html.append(sel.getRangeAt(i).cloneContents());
    html.append(h('p', {}, mention));
    e.clipboardData.setData('text/plain', `${sel.toString().trim()}\n\n${mention}`);
    e.clipboardData.setData('text/html', html.innerHTML);
    e.preventDefault();
  };
  const copyBtn = h(
    'button',
    { class: 'fr-btn fr-btn--secondary fr-btn--sm fr-icon-clipboard-line fr-btn--icon-left', type: 'button' },
    'Copier la réponse',
  );
  copyBtn.addEventListener('click', () => copy(asText(), copyBtn));
  const exportBtn = h(
    'button',
    {
      class: 'fr-btn fr-btn--tertiary fr-btn--sm fr-icon-download-line fr-btn--icon-left gc-export',
      type: 'button',
      onclick: () => exportAnswer(asText()),
    },
    'Exporter',
  );
  const shown = citations.filter((c) => c.cited).length || citations.length;
  const sourcesBtn = shown
    ? h(
        'button',
        {
          class: 'fr-btn fr-btn--tertiary fr-btn--sm',
          type: 'button',
          onclick: () => showSources(ctx, citations, msgId, citations[0]?.index),
        },
        `Voir les sources (${shown})`,
      )
    : null;
  const regenerate = h(
    'button',
    {
      class: 'fr-btn fr-btn--tertiary fr-btn--sm fr-icon-refresh-line fr-btn--icon-left gc-regenerate',
      type: 'button',
      onclick: () => {
        const q = el.previousElementSibling;
        if (!q?.classList.contains('gc-msg--user')) return;
        ask(ctx, q.querySelector('.gc-question-text')?.textContent ?? '', {
          replaceEl: q,
          replace: q.dataset.id || null,
        });
      },
    },
    'Régénérer',
  );
  el.querySelector('.gc-actions')?.remove();
  el.append(h('div', { class: 'gc-actions' }, copyBtn, exportBtn, sourcesBtn, regenerate));
  el.querySelector('.gc-review-box')?.remove();
  if (msgId) el.append(reviewBox(ctx, el, msgId));
  if (msgId) el.append(feedbackBox(ctx, msgId, feedback));
  showSources(ctx, citations, msgId);
  markLast(ctx);
}

function feedbackBox(ctx, msgId, existing) {
  const box = h('div', { class: 'fr-mt-2w gc-feedback' });
  if (existing) {
    box.append(
      h(
        'p',
        { class: 'fr-text--sm fr-mb-0' },
        `Avis enregistré : ${existing.rating > 0 ? 'utile' : 'pas utile'}${existing.tags.length ? ` (${existing.tags.join(', ')})` : ''}. Merci.`,
      ),
    );
    return box;
  }
  const convId = () => ctx.convId;
  let rating = 0;
  const tagsZone = h('div');
  const comment = h('textarea', { class: 'fr-input', id: `comment-${msgId}`, rows: '2', maxlength: '2000' });
  const send = h('button', { class: 'fr-btn fr-btn--sm', type: 'submit' }, 'Envoyer l’avis');
  const form = h(
    'form',
    {
      hidden: true,
      onsubmit: async (e) => {
        e.preventDefault();
        const tags = [...form.querySelectorAll('input[type=checkbox]:checked')].map((i) => i.value);
        try {
          await api(
            `/v1/conversations/${encodeURIComponent(convId())}/messages/${encodeURIComponent(msgId)}/feedback`,
            { method: 'POST', body: { rating, tags, comment: comment.value } },
          );
          box.replaceChildren(
            h('p', { class: 'fr-text--sm fr-mb-0', role: 'status' }, 'Merci, votre avis est enregistré.'),
          );
        } catch (err) {
          form.append(alertBox('error', null, err.message));
        }
      },
    },
    tagsZone,
    h(
      'div',
      { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: `comment-${msgId}` }, 'Commentaire (facultatif)'),
      comment,
    ),
    send,
  );
  const thumb = (value, icon, label) =>
    h(
      'button',
      {
        class: `fr-btn fr-btn--tertiary fr-btn--sm ${icon} gc-thumb`,
        type: 'button',
        title: label,
        'aria-pressed': 'false',
        onclick: (e) => {
          rating = value;
          for (const b of box.querySelectorAll('[aria-pressed]')) {
            const on = b === e.currentTarget;
            b.setAttribute('aria-pressed', String(on));
            b.classList.toggle('fr-btn--tertiary', !on);
          }
          const tags = value > 0 ? TAGS_UP : TAGS_DOWN;
          tagsZone.replaceChildren(
            h(
              'fieldset',
              { class: 'fr-fieldset' },
              h('legend', { class: 'fr-fieldset__legend fr-text--regular' }, 'Précisez (facultatif)'),
              tags.map((t, i) =>
                h(
                  'div',
                  { class: 'fr-fieldset__element fr-fieldset__element--inline' },
                  h(
                    'div',
                    { class: 'fr-checkbox-group fr-checkbox-group--sm' },
                    h('input', { type: 'checkbox', id: `tag-${msgId}-${i}`, value: t }),
                    h('label', { class: 'fr-label', for: `tag-${msgId}-${i}` }, t),
                  ),
                ),
              ),
            ),
          );
          form.hidden = false;
        },
      },
      label,
    );
  box.append(
    h(
      'div',
      { class: 'gc-actions' },
      h('span', { class: 'fr-text--sm' }, 'Cette réponse vous a-t-elle aidé ?'),
      thumb(1, 'fr-icon-thumb-up-line', 'Utile'),
      thumb(-1, 'fr-icon-thumb-down-line', 'Pas utile'),
    ),
    form,
  );
  return box;
}

/* ---------- Asking ---------- */

function askForm(ctx) {
  const area = h('textarea', {
    class: 'fr-input',
    id: 'question',
    name: 'question',
    rows: '3',
    'aria-describedby': 'question-hint question-count pii-notice',
  });
  area.value = sessionStorage.getItem(DRAFT) ?? '';
  const count = h('p', { class: 'fr-hint-text fr-mb-1v', id: 'question-count', 'aria-live': 'polite' });
  const pii = h('div', { id: 'pii-notice', 'aria-live': 'polite' });
  const send = h('button', { class: 'fr-btn', type: 'submit', id: 'send' }, 'Envoyer');
  const stop = h(
    'button',
    {
      class: 'fr-btn fr-btn--secondary fr-icon-stop-circle-line fr-btn--icon-left',
      type: 'button',
      id: 'stop',
      hidden: true,
      onclick: () => ctx.stream?.stop(),
    },
    'Arrêter la réponse',
  );
  const refresh = () => {
    const n = area.value.length;
    const over = n > maxChars;
    count.textContent = over
      ? `${n} / ${maxChars} caractères : la question est trop longue, raccourcissez-la de ${n - maxChars} caractères.`
      : `${n} / ${maxChars} caractères`;
    count.className = over ? 'fr-error-text fr-mb-1v' : 'fr-hint-text fr-mb-1v';
    area.setAttribute('aria-invalid', String(over));
    send.disabled = over;
    const kinds = detectPersonalData(area.value);
    pii.replaceChildren(
      kinds.length
        ? h(
            'div',
            { class: 'fr-alert fr-alert--warning fr-alert--sm fr-mb-1w', id: 'pii-alert' },
            h(
              'p',
              {},
              `Données personnelles détectées (${kinds.join(', ')}) : elles seront pseudonymisées avant tout envoi à un modèle externe, ou refusées si votre organisation l’interdit. N’en saisissez que si c’est nécessaire.`,
            ),
          )
        : '',
    );
    sessionStorage.setItem(DRAFT, area.value);
  };
  count.addEventListener('refresh', refresh);
  area.addEventListener('input', refresh);
  const form = h(
    'form',
    {
      class: 'fr-mt-2w gc-ask',
      id: 'ask-form',
      onsubmit: (e) => {
        e.preventDefault();
        submit();
      },
    },
    h(
      'div',
      { class: 'fr-input-group' },
      h(
        'label',
        { class: 'fr-label', for: 'question' },
        'Votre question',
        h(
          'span',
          { class: 'fr-hint-text', id: 'question-hint' },
          'Entrée pour envoyer, Maj + Entrée pour aller à la ligne, Échap pour arrêter une réponse. Les questions suivantes restent dans la même conversation.',
        ),
      ),
      area,
      count,
      pii,
    ),
    h('div', { class: 'gc-actions' }, send, stop),
  );
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  const submit = () => {
    const q = area.value.trim();
    if (!q || q.length > maxChars || ctx.stream) return;
    ask(ctx, q, {});
  };
  ctx.ui = { area, send, stop, form, refresh };
  refresh();
  return form;
}

function showError(ctx, box) {
  ctx.status.replaceChildren(box);
  // Errors are shown next to the question box and brought into view (never below the fold).
  requestAnimationFrame(() => ctx.status.scrollIntoView({ block: 'nearest' }));
}

/**
 * Keeps the end of the answer and the question box in view while the answer streams, unless the
 * advisor scrolled up to read; scrolling back down resumes following.
 */
function follower(ctx) {
  const target = ctx.ui.form;
  let following = true;
  let programmatic = false;
  const onScroll = () => {
    if (programmatic) {
      programmatic = false;
      return;
    }
    following = target.getBoundingClientRect().bottom <= window.innerHeight + 48;
  };
  const onWheel = (e) => {
    if (e.deltaY < 0) following = false;
  };
  const onKey = (e) => {
    if (['PageUp', 'ArrowUp', 'Home'].includes(e.key) && e.target === document.body) following = false;
  };
  window.addEventListener('scroll', onScroll, { passive: true });
  window.addEventListener('wheel', onWheel, { passive: true });
  window.addEventListener('keydown', onKey);
  return {
    update() {
      if (!following) return;
      const over = target.getBoundingClientRect().bottom - window.innerHeight + 16;
      if (over > 0) {
        programmatic = true;
        window.scrollBy(0, over);
      }
    },
    get following() {
      return following;
    },
    dispose() {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('wheel', onWheel);
      window.removeEventListener('keydown', onKey);
    },
  };
}

/**
 * Asks `question`. With `replace` (a stored question's id), the server replaces that question and
 * everything after it (edit, regenerate, retry): the thread never shows the question twice.
 */
async function ask(ctx, question, { replace = null, replaceEl = null } = {}) {
  const ui = ctx.ui;
  if (ctx.stream) return;
  ctx.status.replaceChildren();
  if (replaceEl) {
    while (replaceEl.nextElementSibling) replaceEl.nextElementSibling.remove();
    replaceEl.remove();
  }
  const userEl = userMessage(ctx, question, replace);
  ctx.thread.append(userEl);
  const typed = ui.area.value;
  if (!replaceEl) {
    ui.area.value = '';
    ui.refresh();
  }
  const el = assistantMessage(ctx);
  const textEl = el.querySelector('.gc-answer-text');
  const controller = new AbortController();
  let stopped = false;
  ctx.stream = {
    stop() {
      stopped = true;
      controller.abort();
    },
  };
  ui.send.hidden = true;
  ui.stop.hidden = false;
  ui.stop.dataset.actionStop = '1';
  ctx.thread.setAttribute('aria-busy', 'true');
  const follow = follower(ctx);
  follow.update();

  let text = '';
  let citations = [];
  let msgId = null;
  let model = null;
  let errorMsg = null;
  let complete;
  let connected;
  let frame = 0;
  const paint = () => {
    frame = 0;
    textEl.replaceChildren(renderMarkdown(text));
    follow.update();
  };
  // Restores the question in the box when nothing was kept by the server.
  const giveBack = () => {
    userEl.remove();
    el.remove();
    if (!replaceEl || !typed.trim()) {
      ui.area.value = question;
      ui.refresh();
    }
  };
  const retry = (label = 'Réessayer') =>
    h(
      'button',
      {
        class: 'fr-btn fr-btn--sm fr-mt-1w',
        type: 'button',
        onclick: () => {
          if (userEl.isConnected && userEl.dataset.id)
            ask(ctx, question, { replaceEl: userEl, replace: userEl.dataset.id });
          else {
            if (userEl.isConnected) {
              while (userEl.nextElementSibling) userEl.nextElementSibling.remove();
              userEl.remove();
            }
            if (ui.area.value.trim() === question) {
              ui.area.value = '';
              ui.refresh();
            }
            ask(ctx, question, {});
          }
        },
      },
      label,
    );
  try {
    // `new` opens the conversation in the same request (one round trip before the first token).
    let res;
    try {
      res = await fetch(`/v1/conversations/${encodeURIComponent(ctx.convId ?? 'new')}/messages`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ content: question, ...(replace ? { replace } : {}) }),
        signal: controller.signal,
      });
    } catch {
      if (stopped) {
        giveBack();
        return;
      }
      giveBack();
      showError(
        ctx,
        alertBox(
          'error',
          'Serveur injoignable',
          'La question n’a pas pu être envoyée (aucune connexion au serveur). Elle est restée dans le champ de saisie.',
          retry(),
        ),
      );
      return;
    }
    if (res.status === 401) {
      giveBack();
      sessionStorage.setItem(DRAFT, question);
      await api('/v1/me').catch(() => {}); // the 401 handler shows the sign-in screen
      return;
    }
    if (!res.ok) {
      let m = `Erreur ${res.status}`;
      let code = null;
      try {
        const body = await res.json();
        m = body.error?.message ?? m;
        code = body.error?.code ?? null;
      } catch {
        /* not JSON */
      }
      giveBack();
      if (code === 'training_required') {
        // A new version of the course was published while the page was open: to the course, the
        // question kept for when the person comes back.
        sessionStorage.setItem(DRAFT, question);
        location.hash = '#/formation';
        return;
      }
      showError(
        ctx,
        alertBox(
          'error',
          res.status === 429 ? 'Question refusée : limite atteinte' : 'Question refusée',
          `${m} Votre question est restée dans le champ de saisie.`,
          res.status >= 500 || res.status === 429 ? retry() : null,
        ),
      );
      return;
    }
    connected = true;
    try {
      complete = await readSse(res, (chunk) => {
        if (chunk.error) {
          errorMsg = chunk.error.message;
          return;
        }
        if (chunk.guichet?.message_id) {
          msgId = chunk.guichet.message_id;
          if (chunk.guichet.user_message_id) userEl.dataset.id = chunk.guichet.user_message_id;
          if (!ctx.convId && chunk.guichet.conversation_id) {
            ctx.convId = chunk.guichet.conversation_id;
            history.replaceState(null, '', `#/assistant/${ctx.convId}`);
          }
        }
        if (chunk.guichet?.model) model = chunk.guichet.model;
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) {
          const first = !text;
          text += delta;
          // The first words are painted at once; then at most once a frame.
          if (first) paint();
          else if (!frame) frame = requestAnimationFrame(paint);
        }
        if (Array.isArray(chunk.citations)) citations = chunk.citations;
      });
    } catch {
      complete = false;
    }
    if (frame) cancelAnimationFrame(frame);
    if (stopped) {
      finishAnswer(ctx, el, text, citations, msgId, null, model);
      el.prepend(alertBox('info', null, 'Réponse arrêtée à votre demande : elle est incomplète.'));
    } else if (errorMsg) {
      textEl.replaceChildren(renderMarkdown(text));
      el.prepend(alertBox('error', null, errorMsg));
      showError(ctx, alertBox('error', 'La réponse a échoué', 'Vous pouvez reposer la question.', retry()));
    } else if (!complete) {
      textEl.replaceChildren(renderMarkdown(text));
      el.classList.add('gc-msg--interrupted');
      el.prepend(
        alertBox(
          'warning',
          null,
          'Réponse interrompue : elle est incomplète et n’a pas été enregistrée comme une réponse complète.',
        ),
      );
      showError(
        ctx,
        alertBox(
          'error',
          'Connexion interrompue',
          'La connexion au serveur a été coupée pendant la réponse.',
          retry(),
        ),
      );
    } else {
      finishAnswer(ctx, el, text, citations, msgId, null, model);
      sessionStorage.removeItem(DRAFT);
    }
    if (connected) {
      const nav = ctx.main.querySelector('.gc-history');
      if (nav && nav.isConnected) loadHistory(nav, ctx);
    }
  } finally {
    follow.update();
    follow.dispose();
    ctx.stream = null;
    ctx.thread.setAttribute('aria-busy', 'false');
    ui.stop.hidden = true;
    delete ui.stop.dataset.actionStop;
    ui.send.hidden = false;
    ui.refresh();
    markLast(ctx);
  }
}
