/**
 * The course's accuracy against the product (issue 22: "each claim in the course is tied to a test
 * or a figure"): every file named by training/SOURCES.md exists, the examples of chapter 6 are
 * questions of eval/rag-dev2.jsonl, the figures of chapter 6 are BENCHMARKS.md's, and the sentences
 * quoted word for word are the ones the product writes. Also the bank's shape and the quiz helpers.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { staleCaveat } from '../../src/knowledge/freshness.js';
import { temporalAnswer } from '../../src/answer/temporal.js';
import { EXTRACTIVE_PREAMBLE } from '../../src/answer/extractive.js';
import { PLACEHOLDER_LABELS } from '../../src/privacy/placeholders.js';
import { NO_SOURCE_ANSWER } from '../../src/usecases/answer-question.js';
import { FEEDBACK_TAGS } from '../../src/usecases/manage-conversations.js';
import {
  BUILTIN_COURSE_DIR,
  choiceOrder,
  drawQuestions,
  readCourse,
  scoreQuiz,
  withoutAnswer,
} from '../../src/training/course.js';
import { ROOT } from '../helpers/cli.js';

const course = readCourse(BUILTIN_COURSE_DIR);
const chapter = (id: string) => course.chapters.find((c) => c.id === id)!.markdown;
/** Text as a reader sees it: typographic apostrophes and Markdown line breaks folded. */
const plain = (s: string) =>
  s.replace(/^>\s?/gm, '').replace(/[’]/g, "'").replace(/\s+/g, ' ').replace(/[*_]/g, '');
const config = loadConfig({ env: {}, file: undefined, overrides: {} });

describe('the course and its bank', () => {
  it('has a version, eight chapters and at least 30 questions, at least two per chapter', () => {
    expect(course.version).toMatch(/\S/);
    expect(course.chapters).toHaveLength(8);
    expect(course.bank.length).toBeGreaterThanOrEqual(30);
    for (const c of course.chapters)
      expect(course.bank.filter((q) => q.chapter === c.id).length, c.id).toBeGreaterThanOrEqual(2);
    // About 15 minutes of reading at ~180 words a minute.
    const words = course.chapters.map((c) => c.markdown.split(/\s+/).length).reduce((a, b) => a + b, 0);
    expect(words).toBeGreaterThan(1800);
    expect(words).toBeLessThan(3600);
  });

  it('every file SOURCES.md cites exists', () => {
    const sources = readFileSync(join(BUILTIN_COURSE_DIR, 'SOURCES.md'), 'utf8');
    const paths = [
      ...sources.matchAll(/`((?:test|src|web|eval|docs|training)\/[^`\s]+|BENCHMARKS\.md)`/g),
    ].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(20);
    for (const p of paths) expect(existsSync(join(ROOT, p)), p).toBe(true);
  });

  it('the examples of chapter 6 are questions of eval/rag-dev2.jsonl, and its figures are BENCHMARKS.md’s', () => {
    const rows = readFileSync(join(ROOT, 'eval', 'rag-dev2.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { id: string; question: string; unanswerable?: boolean });
    const text = plain(chapter('erreurs')).toLowerCase();
    for (const id of ['dev2-003', 'dev2-068', 'dev2-012', 'dev2-087']) {
      const q = rows.find((r) => r.id === id)!;
      // The quoted question, as typed (the CPAM one with its capitals restored).
      expect(text, id).toContain(plain(q.question).toLowerCase().replace('saint denis', 'saint-denis'));
    }
    expect(rows.filter((r) => !r.unanswerable)).toHaveLength(90);
    expect(rows.filter((r) => r.unanswerable)).toHaveLength(30);
    const bench = readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8');
    const section = bench.slice(bench.indexOf('## Réponses sur les questions réelles'));
    expect(section).toContain('| 78.9 % (71 / 90) |');
    expect(section).toContain('| 24 / 30 (80.0 %) |');
    expect(section).toContain('| 3 (3.3 %) |');
    expect(section).toContain('| 0.833 |');
    expect(section).toContain('2020-11-12');
    expect(text).toContain('79 %');
    expect(text).toContain('24 questions sans réponse sur 30');
    expect(text).toContain('3 questions qui avaient une réponse');
    expect(plain(chapter('sources'))).toContain('(83 %)');
    expect(plain(chapter('signaux'))).toContain('12 novembre 2020');
  });

  it('quotes the product’s own sentences and defaults', () => {
    expect(plain(chapter('signaux'))).toContain(plain(NO_SOURCE_ANSWER));
    expect(plain(chapter('assistant'))).toContain(plain(EXTRACTIVE_PREAMBLE.replace(/ :$/, '')));
    expect(plain(chapter('signaux'))).toContain(
      plain(`⚠ ${staleCaveat([{ date: '2020-03-04', stale: true }])}`),
    );
    expect(plain(chapter('signaux'))).toContain(
      plain(temporalAnswer('Quel est le montant du RSA en 2026 ?', 2026, '2020-11-12').split(' Je ne')[0]),
    );
    // The web UI's stale badge and footer.
    const assistant = readFileSync(join(ROOT, 'web', 'assistant.js'), 'utf8');
    expect(assistant).toContain(
      "return `source${y ? ` de ${y}` : ' ancienne'} : vérifiez sur service-public.fr`",
    );
    expect(plain(chapter('signaux'))).toContain('source de 2020 : vérifiez sur service-public.fr');
    expect(plain(chapter('verifier'))).toContain('source de 2020 : vérifiez sur service-public.fr');
    const footer = 'Les réponses sont produites par une intelligence artificielle et doivent être vérifiées.';
    expect(plain(readFileSync(join(ROOT, 'web', 'index.html'), 'utf8'))).toContain(footer);
    expect(plain(chapter('assistant'))).toContain(footer);
    // Defaults the course states.
    expect(config.search.default_k).toBe(5);
    expect(plain(chapter('sources'))).toContain('5 publications');
    expect(config.knowledge.stale_after_months).toBe(12);
    expect(plain(chapter('signaux'))).toContain('plus de 12 mois');
    expect(config.privacy.retention.conversations_days).toBe(90);
    expect(plain(chapter('donnees'))).toContain('90 jours par défaut');
    expect(PLACEHOLDER_LABELS.PERSON).toBe('PERSONNE');
    expect(chapter('donnees')).toContain('[PERSONNE_1]');
    for (const tag of ['erreur', 'incomplet', 'manque de sources']) {
      expect(FEEDBACK_TAGS as readonly string[]).toContain(tag);
      expect(chapter('contacts')).toContain(`« ${tag} »`);
    }
  });
});

describe('quiz helpers', () => {
  it('draws distinct questions, shows a permutation of the choices, scores in the order shown', () => {
    const drawn = drawQuestions(course.bank, 10);
    expect(new Set(drawn.map((q) => q.id)).size).toBe(10);
    expect(drawQuestions(course.bank, 1000)).toHaveLength(course.bank.length);
    const q = course.bank[0];
    const order = choiceOrder('quiz_a', q);
    expect([...order].sort()).toEqual(q.choices.map((_, i) => i));
    expect(choiceOrder('quiz_a', q)).toEqual(order); // stable for a quiz
    // Over many quizzes the right answer is not always shown at the same place.
    const places = new Set(
      Array.from({ length: 40 }, (_, i) => choiceOrder(`quiz_${i}`, q).indexOf(q.answer)),
    );
    expect(places.size).toBeGreaterThan(1);
    const shown = withoutAnswer('quiz_a', q);
    expect(shown).not.toHaveProperty('answer');
    const right = shown.choices.indexOf(q.choices[q.answer]);
    const good = scoreQuiz(course.bank, 'quiz_a', [q.id], { [q.id]: right });
    expect(good).toMatchObject({ correct: 1, total: 1, score: 1 });
    expect(good.results[0]).toMatchObject({ chosen: right, answer: right, correct: true });
    const bad = scoreQuiz(course.bank, 'quiz_a', [q.id], { [q.id]: (right + 1) % q.choices.length });
    expect(bad).toMatchObject({ correct: 0, score: 0 });
    expect(() => scoreQuiz(course.bank, 'quiz_a', [q.id], {})).toThrow(/Répondez à toutes les questions/);
    expect(() => scoreQuiz(course.bank, 'quiz_a', ['gone'], { gone: 0 })).toThrow(/La formation a changé/);
  });

  it('refuses a course folder with a file outside it, a wrong answer number or an unknown chapter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-course-'));
    try {
      cpSync(BUILTIN_COURSE_DIR, dir, { recursive: true });
      const manifest = readFileSync(join(dir, 'manifest.yaml'), 'utf8');
      const quiz = readFileSync(join(dir, 'quiz.yaml'), 'utf8');
      writeFileSync(
        join(dir, 'manifest.yaml'),
        manifest.replace('cours/01-assistant.md', '../../etc/passwd'),
      );
      expect(() => readCourse(dir)).toThrow(/hors du dossier/);
      writeFileSync(join(dir, 'manifest.yaml'), manifest);
      writeFileSync(join(dir, 'quiz.yaml'), quiz.replace('answer: 1', 'answer: 7'));
      expect(() => readCourse(dir)).toThrow(/n'est pas un des choix/);
      writeFileSync(join(dir, 'quiz.yaml'), quiz.replace('chapter: assistant', 'chapter: inconnu'));
      expect(() => readCourse(dir)).toThrow(/chapitre « inconnu » inconnu/);
      writeFileSync(join(dir, 'quiz.yaml'), 'questions: [');
      expect(() => readCourse(dir)).toThrow(/n'est pas du YAML valide/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
