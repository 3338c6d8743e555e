// The advisor's assistant: ask, read the streamed answer with its numbered sources, follow up,
// history (own conversations, with their retention), feedback, copy.
import { api, headers, readSse } from './api.js';
import { detectPersonalData } from './pii.js';
import { alertBox, fmtDay, h } from './ui.js';

const NOTICE = 'guichet.notice.v1';
const DRAFT = 'guichet.draft';
const TAGS_UP = ['clair', 'complet', 'sources fiables'];
const TAGS_DOWN = ['erreur', 'incomplet', 'manque de sources', 'trop long'];
let maxChars = 4000;
let retentionDays = 90;

export async function renderAssistant(main, hash) {
  const convId = hash.split('/')[2] || null;
  document.title = 'Assistant – Guichet';
  const sources = h(
    'section',
    { class: 'gc-sources', 'aria-labelledby': 'sources-title' },
    h('h2', { class: 'fr-h5', id: 'sources-title' }, 'Sources'),
    h('p', { class: 'fr-text--sm', id: 'sources-empty' }, 'Les sources de la réponse s’affichent ici.'),
  );
  const thread = h('div', { class: 'gc-thread', 'aria-live': 'polite', 'aria-busy': 'false' });
  const history = h('nav', { class: 'gc-history', 'aria-labelledby': 'history-title' });
  const status = h('div', { id: 'ask-status' });
  const ctx = { convId, thread, sources, status, main };

  main.replaceChildren(
    h('h1', { class: 'fr-h2' }, 'Assistant'),
    firstVisitNotice(),
    h(
      'p',
      { class: 'fr-badge fr-badge--info fr-badge--sm fr-mb-2w' },
      'Réponses générées par une IA, à vérifier',
    ),
    h(
      'div',
      { class: 'gc-chat' },
      history,
      h(
        'section',
        { 'aria-labelledby': 'thread-title' },
        h('h2', { class: 'fr-h5', id: 'thread-title' }, 'Conversation'),
        thread,
        status,
        askForm(ctx),
      ),
      sources,
    ),
  );
  await loadHistory(history, ctx);
  if (convId) await loadConversation(ctx);
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

async function loadHistory(nav, ctx) {
  let list;
  try {
    list = await api('/v1/conversations?limit=50');
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
      },
      'Nouvelle conversation',
    ),
    list.data.length
      ? h(
          'ul',
          {},
          list.data.map((c) =>
            h(
              'li',
              {},
              h(
                'a',
                {
                  href: `#/assistant/${c.id}`,
                  title: `${c.title || 'Sans titre'} – ${fmtDay(c.updated_at)}`,
                  ...(c.id === ctx.convId ? { 'aria-current': 'page' } : {}),
                },
                c.title || 'Sans titre',
              ),
              h(
                'button',
                {
                  class: 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-delete-line',
                  type: 'button',
                  title: `Supprimer « ${c.title || 'Sans titre'} »`,
                  onclick: () => removeConversation(c, ctx),
                },
                'Supprimer',
              ),
            ),
          ),
        )
      : h('p', { class: 'fr-text--sm' }, 'Aucune conversation.'),
  );
}

async function removeConversation(c, ctx) {
  if (!confirm(`Supprimer la conversation « ${c.title || 'Sans titre'} » ? Cette action est définitive.`))
    return;
  try {
    await api(`/v1/conversations/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
  } catch (e) {
    ctx.status.replaceChildren(alertBox('error', null, e.message));
    return;
  }
  if (c.id === ctx.convId) location.hash = '#/assistant';
  else renderAssistant(ctx.main, location.hash);
}

async function loadConversation(ctx) {
  let conv;
  try {
    conv = await api(`/v1/conversations/${encodeURIComponent(ctx.convId)}`);
  } catch (e) {
    ctx.thread.replaceChildren(alertBox('error', null, e.message));
    return;
  }
  for (const m of conv.messages) {
    if (m.role === 'user') ctx.thread.append(userMessage(m.content));
    else if (m.role === 'assistant') {
      const el = assistantMessage(ctx);
      finishAnswer(ctx, el, m.content, m.citations, m.id, m.feedback);
      if (!m.complete) el.prepend(alertBox('warning', null, 'Réponse interrompue : elle est incomplète.'));
    }
  }
}

function userMessage(text) {
  return h(
    'div',
    { class: 'gc-msg gc-msg--user' },
    h('p', { class: 'fr-text--bold fr-mb-1v' }, 'Question'),
    h('p', { class: 'fr-mb-0 gc-answer-text' }, text),
  );
}

function assistantMessage(ctx) {
  const text = h('p', { class: 'gc-answer-text fr-mb-0' });
  const el = h(
    'article',
    { class: 'gc-msg gc-msg--assistant', 'aria-label': 'Réponse de l’assistant' },
    h(
      'p',
      { class: 'fr-text--bold fr-mb-1v' },
      'Réponse ',
      h('span', { class: 'fr-badge fr-badge--sm fr-badge--new' }, 'IA'),
    ),
    text,
  );
  ctx.thread.append(el);
  return el;
}

/**
 * Answer text rendered from its light Markdown (paragraphs, bullet lists, **bold**, links) without
 * ever using innerHTML, with its [n] markers turned into links to the sources panel.
 */
function linkedText(text, citations, ctx, msgId) {
  const known = new Set(citations.map((c) => c.index));
  const inline = (line) => {
    const out = [];
    const re = /\[(\d{1,2})\]|\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;
    let last = 0;
    for (const m of line.matchAll(re)) {
      out.push(line.slice(last, m.index));
      if (m[1] !== undefined && known.has(Number(m[1]))) {
        const n = Number(m[1]);
        out.push(
          h(
            'a',
            {
              class: 'gc-cite',
              href: `#src-${msgId}-${n}`,
              'aria-label': `Source ${n}`,
              onclick: (e) => {
                e.preventDefault();
                showSources(ctx, citations, msgId, n);
              },
            },
            `[${n}]`,
          ),
        );
      } else if (m[2] !== undefined) out.push(h('strong', {}, m[2]));
      else if (m[3] !== undefined) out.push(h('a', { href: m[4], target: '_blank', rel: 'noopener' }, m[3]));
      else out.push(m[0]);
      last = m.index + m[0].length;
    }
    out.push(line.slice(last));
    return out;
  };
  const root = h('div', { class: 'gc-answer-text' });
  let list = null;
  let para = [];
  const flush = () => {
    if (para.length) root.append(h('p', { class: 'fr-mb-1w' }, ...inline(para.join(' '))));
    para = [];
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const item = /^(?:[-*•]|\d+\.)\s+(.*)$/.exec(line);
    if (item) {
      flush();
      if (!list) root.append((list = h('ul', { class: 'fr-mb-1w' })));
      list.append(h('li', {}, ...inline(item[1])));
    } else if (!line) {
      flush();
      list = null;
    } else {
      list = null;
      para.push(line);
    }
  }
  flush();
  return root;
}

function showSources(ctx, citations, msgId, focus) {
  const items = [...citations].sort((a, b) => Number(b.cited) - Number(a.cited) || a.index - b.index);
  ctx.sources.replaceChildren(
    h('h2', { class: 'fr-h5', id: 'sources-title' }, 'Sources'),
    items.length
      ? h(
          'ol',
          {},
          items.map((c) =>
            h(
              'li',
              { id: `src-${msgId}-${c.index}`, tabindex: '-1', value: c.index },
              h(
                'p',
                { class: 'fr-text--bold fr-mb-1v' },
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
              ),
              h(
                'p',
                { class: 'fr-mb-1v' },
                c.local
                  ? h('span', { class: 'fr-badge fr-badge--sm fr-badge--green-emeraude' }, 'Local')
                  : h('span', { class: 'fr-badge fr-badge--sm fr-badge--blue-ecume' }, 'National'),
                ' ',
                c.cited ? h('span', { class: 'fr-badge fr-badge--sm fr-badge--success' }, 'Citée') : null,
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
                { class: 'fr-text--xs fr-mb-0' },
                `Mise à jour : ${c.date ? fmtDay(c.date) : 'inconnue'}`,
              ),
            ),
          ),
        )
      : h('p', { class: 'fr-text--sm' }, 'Aucune source pour cette réponse.'),
  );
  if (focus) document.getElementById(`src-${msgId}-${focus}`)?.focus();
}

function plainText(text, citations) {
  const cited = citations.filter((c) => c.cited);
  const lines = cited.map(
    (c) =>
      `[${c.index}] ${c.title}${c.url ? ` – ${c.url}` : c.local ? ` – document local (${c.collection_name ?? c.collection})` : ''}`,
  );
  const plain = text
    .trim()
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '$1 ($2)');
  return `${plain}\n\nSources :\n${lines.join('\n') || '(aucune)'}\n\nRéponse préparée avec l’aide d’une intelligence artificielle et vérifiée par votre conseiller.`;
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

function finishAnswer(ctx, el, text, citations, msgId, feedback) {
  el.querySelector('.gc-answer-text').replaceWith(linkedText(text, citations, ctx, msgId));
  const copyBtn = h(
    'button',
    { class: 'fr-btn fr-btn--secondary fr-btn--sm fr-icon-clipboard-line fr-btn--icon-left', type: 'button' },
    'Copier la réponse',
  );
  copyBtn.addEventListener('click', () => copy(plainText(text, citations), copyBtn));
  const sourcesBtn = h(
    'button',
    {
      class: 'fr-btn fr-btn--tertiary fr-btn--sm',
      type: 'button',
      onclick: () => showSources(ctx, citations, msgId, citations[0]?.index),
    },
    `Voir les sources (${citations.filter((c) => c.cited).length || citations.length})`,
  );
  el.append(h('div', { class: 'gc-actions' }, copyBtn, sourcesBtn), feedbackBox(ctx, msgId, feedback));
  showSources(ctx, citations, msgId);
}

function feedbackBox(ctx, msgId, existing) {
  const box = h('div', { class: 'fr-mt-2w' });
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
        class: `fr-btn fr-btn--tertiary fr-btn--sm ${icon}`,
        type: 'button',
        title: label,
        'aria-pressed': 'false',
        onclick: (e) => {
          rating = value;
          for (const b of box.querySelectorAll('[aria-pressed]'))
            b.setAttribute('aria-pressed', String(b === e.currentTarget));
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
  const send = h('button', { class: 'fr-btn', type: 'submit' }, 'Envoyer');
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
      class: 'fr-mt-2w',
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
          'Entrée pour envoyer, Maj + Entrée pour aller à la ligne. Les questions suivantes restent dans la même conversation.',
        ),
      ),
      area,
      count,
      pii,
    ),
    send,
  );
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  const submit = () => {
    const q = area.value.trim();
    if (!q || q.length > maxChars || form.dataset.busy) return;
    ask(ctx, q, { area, send, form, refresh });
  };
  refresh();
  return form;
}

async function ask(ctx, question, ui) {
  ui.form.dataset.busy = '1';
  ui.send.disabled = true;
  ctx.status.replaceChildren();
  const fail = (title, text, retry) => {
    ctx.status.replaceChildren(
      alertBox(
        'error',
        title,
        text,
        retry
          ? h(
              'button',
              { class: 'fr-btn fr-btn--sm fr-mt-1w', type: 'button', onclick: () => ask(ctx, question, ui) },
              'Réessayer',
            )
          : null,
      ),
    );
  };
  ctx.thread.append(userMessage(question));
  ui.area.value = '';
  ui.refresh();
  const el = assistantMessage(ctx);
  const textEl = el.querySelector('.gc-answer-text');
  const node = document.createTextNode('');
  textEl.append(node);
  ctx.thread.setAttribute('aria-busy', 'true');
  let text = '';
  let citations = [];
  let msgId = null;
  let errorMsg = null;
  let complete;
  try {
    // `new` opens the conversation in the same request (one round trip before the first token).
    const res = await fetch(`/v1/conversations/${encodeURIComponent(ctx.convId ?? 'new')}/messages`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ content: question }),
    });
    if (res.status === 401) {
      el.remove();
      ctx.thread.lastElementChild?.remove();
      ui.area.value = question;
      sessionStorage.setItem(DRAFT, question);
      await api('/v1/me').catch(() => {}); // the 401 handler shows the sign-in screen
      return done(ui);
    }
    if (!res.ok) {
      let m = `Erreur ${res.status}`;
      try {
        m = (await res.json()).error?.message ?? m;
      } catch {
        /* not JSON */
      }
      el.remove();
      ui.area.value = question;
      ui.refresh();
      fail('Question refusée', m, res.status >= 500 || res.status === 429);
      return done(ui);
    }
    complete = await readSse(res, (chunk) => {
      if (chunk.error) {
        errorMsg = chunk.error.message;
        return;
      }
      if (chunk.guichet?.message_id) {
        msgId = chunk.guichet.message_id;
        if (!ctx.convId) {
          ctx.convId = chunk.guichet.conversation_id;
          history.replaceState(null, '', `#/assistant/${ctx.convId}`);
        }
      }
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        node.appendData(delta);
        text += delta;
      }
      if (Array.isArray(chunk.citations)) citations = chunk.citations;
    });
  } catch {
    complete = false;
  }
  ctx.thread.setAttribute('aria-busy', 'false');
  if (errorMsg) {
    el.prepend(alertBox('error', null, errorMsg));
    fail('La réponse a échoué', 'Vous pouvez reposer la question.', true);
  } else if (!complete) {
    el.classList.add('gc-msg--interrupted');
    el.prepend(
      alertBox(
        'warning',
        null,
        'Réponse interrompue : elle est incomplète et n’a pas été enregistrée comme une réponse complète.',
      ),
    );
    fail('Connexion interrompue', 'La connexion au serveur a été coupée pendant la réponse.', true);
  } else {
    finishAnswer(ctx, el, text, citations, msgId, null);
    sessionStorage.removeItem(DRAFT);
    const nav = ctx.main.querySelector('.gc-history');
    if (nav) loadHistory(nav, ctx);
  }
  done(ui);
}

function done(ui) {
  delete ui.form.dataset.busy;
  ui.refresh();
}
