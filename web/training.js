// The agents' AI training (AI Act art. 4): the course's chapters, the final quiz (scored on the
// server), the result; and, for the admin console, who has taken it with CSV and PDF exports.
import { api, session } from './api.js';
import { renderMarkdown } from './markdown.js';
import { alertBox, fmtDate, fmtDay, h, table } from './ui.js';

const pct = (x) => `${Math.round(x * 100)} %`;

/** The course and my status, fetched once per person and page (refreshed after a quiz). */
let cached = null;
function training(refresh = false) {
  const who = session.me?.user?.id ?? session.me?.key?.id ?? '';
  if (refresh || !cached || cached.who !== who) cached = { who, promise: api('/v1/training') };
  cached.promise.catch(() => (cached = null));
  return cached.promise;
}

/**
 * `training.required`: whether this person must take the course before the assistant (a person
 * signed in who has not passed the current version; a key without a holder is not held).
 */
export async function mustTrain() {
  if (!session.me?.user || !session.me.permissions?.includes('training:take')) return false;
  try {
    const t = await training();
    return t.required && !t.status.passed;
  } catch {
    return false; // no training route on this server: nothing to require
  }
}

/** The progress through the chapters, kept in this browser per person and course version. */
const readKey = (t) => `guichet.formation.${session.me?.user?.id ?? 'cle'}.${t.version}`;
function chaptersRead(t) {
  try {
    const v = JSON.parse(localStorage.getItem(readKey(t)) ?? '[]');
    return new Set(Array.isArray(v) ? v : []);
  } catch {
    return new Set();
  }
}
function markRead(t, id) {
  const read = chaptersRead(t);
  read.add(id);
  try {
    localStorage.setItem(readKey(t), JSON.stringify([...read]));
  } catch {
    /* private browsing: progress is not kept */
  }
}

/** An alert under the page's h1: its title in bold, not a heading (the headings stay in order). */
const notice = (type, title, text) =>
  alertBox(type, null, null, h('p', {}, h('strong', {}, title), ` — ${text}`));

function statusAlert(t) {
  const s = t.status;
  if (s.passed)
    return notice(
      'success',
      'Formation validée',
      `Vous avez réussi le quiz de cette version (${t.version}) le ${fmtDay(s.last_passed?.completed_at)} avec ${pct(s.last_passed?.score ?? 0)}.`,
    );
  if (s.last_passed)
    return notice(
      'warning',
      'Nouvelle version de la formation',
      `La formation a changé depuis votre réussite (version ${s.last_passed.course_version}) : relisez-la et repassez le quiz.`,
    );
  if (t.required)
    return notice(
      'info',
      'Formation obligatoire',
      'Votre organisation demande de suivre cette formation et de réussir son quiz avant d’utiliser l’assistant.',
    );
  return null;
}

/** #/formation (chapter 1), #/formation/3 (chapter 3), #/formation/quiz. */
export async function renderTraining(main, hash) {
  document.title = 'Formation à l’IA – Guichet';
  let t;
  try {
    t = await training();
  } catch (e) {
    main.replaceChildren(h('h1', {}, 'Formation à l’IA'), alertBox('error', null, e.message));
    return;
  }
  const part = hash.split('/')[2] ?? '';
  const index =
    part === 'quiz' ? t.chapters.length : Math.max(0, Math.min(t.chapters.length - 1, Number(part) - 1 || 0));
  if (index < t.chapters.length) markRead(t, t.chapters[index].id);
  const read = chaptersRead(t);
  const steps = t.chapters.length + 1;
  const current = index + 1;
  const stepTitle = index < t.chapters.length ? t.chapters[index].title : 'Quiz final';
  const nextTitle =
    index + 1 < t.chapters.length
      ? t.chapters[index + 1].title
      : index + 1 === t.chapters.length
        ? 'Quiz final'
        : null;
  const body = h('div', { id: 'formation-etape' });
  main.replaceChildren(
    h('h1', {}, 'Formation à l’IA'),
    h(
      'p',
      { class: 'fr-text--lead' },
      `${t.title} — environ ${t.minutes} minutes de lecture, puis un quiz de ${t.questions} questions (seuil de réussite : ${pct(t.pass_mark)}). Version ${t.version}.`,
    ),
    h('div', { id: 'formation-statut' }, statusAlert(t) ?? ''),
    h(
      'div',
      { class: 'fr-grid-row fr-grid-row--gutters' },
      h(
        'div',
        { class: 'fr-col-12 fr-col-md-4' },
        h(
          'nav',
          { class: 'fr-sidemenu', 'aria-labelledby': 'formation-sommaire' },
          h(
            'div',
            { class: 'fr-sidemenu__inner' },
            // Phones and tablets: the summary folds behind a button (DSFR side menu), the text first.
            h(
              'button',
              {
                class: 'fr-sidemenu__btn',
                type: 'button',
                'aria-controls': 'formation-sommaire-liste',
                'aria-expanded': 'false',
              },
              'Sommaire de la formation',
            ),
            h(
              'div',
              { class: 'fr-collapse', id: 'formation-sommaire-liste' },
              h('p', { class: 'fr-sidemenu__title', id: 'formation-sommaire' }, 'Sommaire'),
              h(
                'p',
                { class: 'fr-text--sm', id: 'formation-progression' },
                `${t.chapters.filter((c) => read.has(c.id)).length} chapitre(s) lu(s) sur ${t.chapters.length}`,
              ),
              h(
                'ol',
                { class: 'fr-sidemenu__list' },
                [
                  ...t.chapters.map((c, i) => [c.title, `#/formation/${i + 1}`, read.has(c.id)]),
                  ['Quiz final', '#/formation/quiz', t.status.passed],
                ].map(([title, href, done], i) =>
                  h(
                    'li',
                    { class: `fr-sidemenu__item${i === index ? ' fr-sidemenu__item--active' : ''}` },
                    h(
                      'a',
                      {
                        class: 'fr-sidemenu__link',
                        href,
                        ...(i === index ? { 'aria-current': 'page' } : {}),
                      },
                      title,
                      done ? h('span', { class: 'fr-sr-only' }, ' (fait)') : '',
                      done
                        ? h('span', {
                            class: 'fr-icon-check-line fr-icon--sm fr-ml-1v',
                            'aria-hidden': 'true',
                          })
                        : '',
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'fr-col-12 fr-col-md-8' },
        h(
          'div',
          { class: 'fr-stepper' },
          h(
            'h2',
            { class: 'fr-stepper__title', id: 'formation-titre', tabindex: '-1' },
            stepTitle,
            h('span', { class: 'fr-stepper__state' }, `Étape ${current} sur ${steps}`),
          ),
          h('div', {
            class: 'fr-stepper__steps',
            'data-fr-current-step': String(current),
            'data-fr-steps': String(steps),
          }),
          nextTitle
            ? h(
                'p',
                { class: 'fr-stepper__details' },
                h('span', { class: 'fr-text--bold' }, 'Étape suivante : '),
                nextTitle,
              )
            : '',
        ),
        body,
      ),
    ),
  );
  if (index < t.chapters.length) renderChapter(body, t, index);
  else renderQuizIntro(body, t);
  // A new step: the focus goes to its title, so a screen reader reads where the person is.
  if (part) document.getElementById('formation-titre')?.focus();
}

function renderChapter(body, t, index) {
  const c = t.chapters[index];
  const prev = index > 0 ? `#/formation/${index}` : null;
  const next = index + 1 < t.chapters.length ? `#/formation/${index + 2}` : '#/formation/quiz';
  body.replaceChildren(
    h('div', { class: 'gc-course fr-mb-4w' }, renderMarkdown(c.markdown)),
    h(
      'ul',
      { class: 'fr-btns-group fr-btns-group--inline-md' },
      prev
        ? h('li', {}, h('a', { class: 'fr-btn fr-btn--secondary', href: prev }, 'Chapitre précédent'))
        : '',
      h(
        'li',
        {},
        h(
          'a',
          { class: 'fr-btn', href: next },
          index + 1 < t.chapters.length ? 'Chapitre suivant' : 'Passer au quiz',
        ),
      ),
    ),
  );
}

function renderQuizIntro(body, t) {
  const error = h('div', { 'aria-live': 'assertive' });
  body.replaceChildren(
    h(
      'p',
      {},
      `${t.questions} questions tirées au hasard parmi celles de la formation. Une seule réponse par question. ` +
        `Il faut ${pct(t.pass_mark)} de bonnes réponses pour réussir ; vous pouvez recommencer autant de fois que nécessaire.`,
    ),
    h(
      'button',
      {
        class: 'fr-btn',
        type: 'button',
        id: 'quiz-start',
        onclick: async () => {
          error.replaceChildren();
          try {
            renderQuiz(body, t, await api('/v1/training/quiz', { method: 'POST' }));
          } catch (e) {
            error.append(alertBox('error', null, e.message));
          }
        },
      },
      'Commencer le quiz',
    ),
    error,
  );
}

function renderQuiz(body, t, quiz) {
  const summary = h('div', { id: 'quiz-erreurs', tabindex: '-1' });
  const groups = quiz.questions.map((q, n) => {
    const name = `q-${q.id}`;
    const messageId = `${name}-message`;
    const fieldset = h(
      'fieldset',
      { class: 'fr-fieldset', id: `${name}-fieldset`, 'aria-labelledby': `${name}-legend ${messageId}` },
      h(
        'legend',
        { class: 'fr-fieldset__legend fr-fieldset__legend--regular', id: `${name}-legend` },
        h('span', { class: 'fr-text--bold' }, `Question ${n + 1} sur ${quiz.questions.length} : `),
        q.question,
      ),
      q.choices.map((choice, i) =>
        h(
          'div',
          { class: 'fr-fieldset__element' },
          h(
            'div',
            { class: 'fr-radio-group' },
            h('input', { type: 'radio', id: `${name}-${i}`, name, value: String(i) }),
            h('label', { class: 'fr-label', for: `${name}-${i}` }, choice),
          ),
        ),
      ),
      h('div', { class: 'fr-messages-group', id: messageId, 'aria-live': 'polite' }),
    );
    return { q, name, fieldset, message: fieldset.querySelector(`#${CSS.escape(messageId)}`) };
  });
  const form = h(
    'form',
    {
      id: 'quiz',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        summary.replaceChildren();
        const answers = {};
        const missing = [];
        for (const g of groups) {
          const checked = form.querySelector(`input[name="${g.name}"]:checked`);
          g.fieldset.classList.toggle('fr-fieldset--error', !checked);
          g.message.replaceChildren(
            checked ? '' : h('p', { class: 'fr-message fr-message--error' }, 'Choisissez une réponse.'),
          );
          if (checked) answers[g.q.id] = Number(checked.value);
          else missing.push(g);
        }
        if (missing.length) {
          summary.append(
            alertBox(
              'error',
              missing.length === 1
                ? 'Une question est sans réponse'
                : `${missing.length} questions sont sans réponse`,
              null,
              h(
                'ul',
                {},
                missing.map((g) =>
                  h(
                    'li',
                    {},
                    h('a', { href: `#${g.name}-fieldset`, dataset: { skip: `${g.name}-0` } }, g.q.question),
                  ),
                ),
              ),
            ),
          );
          summary.focus();
          return;
        }
        submit.disabled = true;
        try {
          const result = await api(`/v1/training/quiz/${encodeURIComponent(quiz.id)}/answers`, {
            method: 'POST',
            body: { answers },
          });
          renderResult(body, t, result);
          // My status changed: the notice under the title follows.
          training(true)
            .then((fresh) =>
              document.getElementById('formation-statut')?.replaceChildren(statusAlert(fresh) ?? ''),
            )
            .catch(() => {});
        } catch (err) {
          submit.disabled = false;
          summary.append(alertBox('error', null, err.message));
          summary.focus();
        }
      },
    },
    summary,
    groups.map((g) => g.fieldset),
  );
  const submit = h('button', { class: 'fr-btn', type: 'submit' }, 'Envoyer mes réponses');
  form.append(submit);
  body.replaceChildren(form);
  groups[0]?.fieldset.querySelector('input')?.focus();
}

function renderResult(body, t, r) {
  const title = h(
    'h3',
    { id: 'quiz-resultat', tabindex: '-1' },
    `Résultat : ${r.correct} bonne(s) réponse(s) sur ${r.total} (${pct(r.score)})`,
  );
  body.replaceChildren(
    h(
      'div',
      { role: 'status' },
      title,
      r.passed
        ? alertBox(
            'success',
            'Formation validée',
            `Vous avez atteint le seuil de ${pct(r.pass_mark)}. Votre réussite est enregistrée.`,
          )
        : alertBox(
            'error',
            'Seuil non atteint',
            `Il faut ${pct(r.pass_mark)} de bonnes réponses. Relisez les explications ci-dessous, puis recommencez.`,
          ),
    ),
    h(
      'ol',
      { class: 'gc-quiz-correction' },
      r.results.map((q) =>
        h(
          'li',
          { class: 'fr-mb-2w' },
          h('p', { class: 'fr-text--bold fr-mb-1v' }, q.question),
          h(
            'p',
            { class: 'fr-mb-1v' },
            h(
              'span',
              { class: `fr-badge fr-badge--sm fr-badge--${q.correct ? 'success' : 'error'} fr-mr-1w` },
              q.correct ? 'Juste' : 'Faux',
            ),
            `Votre réponse : ${q.choices[q.chosen]}`,
          ),
          q.correct ? '' : h('p', { class: 'fr-mb-1v' }, `Bonne réponse : ${q.choices[q.answer]}`),
          h('p', { class: 'fr-text--sm' }, q.explanation),
        ),
      ),
    ),
    h(
      'ul',
      { class: 'fr-btns-group fr-btns-group--inline-md' },
      r.passed
        ? h('li', {}, h('a', { class: 'fr-btn', href: '#/assistant' }, 'Aller à l’assistant'))
        : h(
            'li',
            {},
            h(
              'button',
              { class: 'fr-btn', type: 'button', onclick: () => renderQuizIntro(body, t) },
              'Recommencer le quiz',
            ),
          ),
      h(
        'li',
        {},
        h('a', { class: 'fr-btn fr-btn--secondary', href: '#/formation/1' }, 'Relire la formation'),
      ),
    ),
  );
  title.focus();
}

const STATUS = {
  current: ['success', 'À jour'],
  outdated: ['warning', 'Version ancienne'],
  failed: ['error', 'Quiz non réussi'],
  never: ['info', 'Jamais suivie'],
};

/** Admin console section: who has taken the training, with CSV and PDF exports. */
export async function trainingAdmin(body) {
  const r = await api('/v1/admin/training/completions');
  const done = r.data.filter((p) => p.status === 'current').length;
  const link = (format, label) =>
    h(
      'li',
      {},
      h(
        'a',
        {
          class: 'fr-btn fr-btn--secondary fr-icon-download-line',
          href: `/v1/admin/training/completions?format=${format}`,
          download: '',
          id: `formation-export-${format}`,
        },
        label,
      ),
    );
  body.append(
    h(
      'p',
      {},
      `${done} personne(s) à jour sur ${r.data.length} pour la version ${r.course_version} de la formation (seuil ${pct(r.pass_mark)}). `,
      'Changer la version dans training/manifest.yaml redemande la formation à tous.',
    ),
    h(
      'ul',
      { class: 'fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left' },
      link('csv', 'Exporter en CSV'),
      link('pdf', 'Exporter en PDF'),
    ),
    table(
      'Suivi de la formation à l’IA',
      [
        'Personne',
        'Rôle',
        'Statut',
        'Réussite',
        'Score',
        'Version réussie',
        'Tentatives',
        'Dernière tentative',
      ],
      r.data.map((p) => [
        p.name ? `${p.name} (${p.email})` : p.email,
        p.role,
        h('span', { class: `fr-badge fr-badge--sm fr-badge--${STATUS[p.status][0]}` }, STATUS[p.status][1]),
        fmtDay(p.last_passed?.completed_at),
        p.last_passed ? pct(p.last_passed.score) : '—',
        p.last_passed?.course_version ?? '—',
        String(p.attempts),
        fmtDate(p.last_attempt?.completed_at),
      ]),
    ),
  );
}
