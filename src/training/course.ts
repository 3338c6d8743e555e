/**
 * The AI training course (AI Act art. 4): Markdown chapters and a YAML question bank in a folder
 * (`training/` in the repository, or `training.folder`), described by `manifest.yaml`. An authority
 * adapts the text there; a new `version` in the manifest asks every agent to take the course again.
 * Read once and read again when the manifest or the bank changes (no restart needed).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';

/** The repository's own course. */
export const BUILTIN_COURSE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'training');

const manifestSchema = z.strictObject({
  version: z.string().min(1).max(40),
  title: z.string().min(1).max(200),
  minutes: z.number().int().min(1).max(600),
  chapters: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9-]{1,40}$/),
        title: z.string().min(1).max(200),
        file: z.string().min(1).max(200),
        minutes: z.number().int().min(1).max(120),
      }),
    )
    .min(1),
  quiz: z.string().min(1).max(200).default('quiz.yaml'),
});

const questionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  chapter: z.string().min(1),
  question: z.string().min(1).max(1000),
  choices: z.array(z.string().min(1).max(500)).min(2).max(6),
  /** Index (from 0) of the right choice. */
  answer: z.number().int().min(0),
  explanation: z.string().min(1).max(2000),
});

export type Question = z.infer<typeof questionSchema>;

export interface Chapter {
  id: string;
  title: string;
  minutes: number;
  markdown: string;
}

export interface Course {
  version: string;
  title: string;
  minutes: number;
  chapters: Chapter[];
  bank: Question[];
}

/** A question as the client sees it before answering: never its answer. */
export interface QuizQuestion {
  id: string;
  chapter: string;
  question: string;
  choices: string[];
}

/** One corrected question, its choices in the order the quiz showed them. */
export interface QuestionResult {
  id: string;
  question: string;
  choices: string[];
  chosen: number;
  answer: number;
  correct: boolean;
  explanation: string;
}

export interface QuizScore {
  correct: number;
  total: number;
  /** Share of right answers, 0 to 1. */
  score: number;
  results: QuestionResult[];
}

const invalid = (folder: string, why: string) =>
  new AppError('config_invalid', `Formation illisible (${folder}) : ${why}`);

/** A file of the course folder; a path leaving the folder is refused. */
function readInside(folder: string, file: string): string {
  const path = resolve(folder, file);
  const rel = relative(folder, path);
  if (rel.startsWith('..') || isAbsolute(rel)) throw invalid(folder, `« ${file} » est hors du dossier.`);
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw invalid(folder, `fichier « ${file} » introuvable.`);
  }
}

function yamlOf(folder: string, file: string): unknown {
  try {
    return parseYaml(readInside(folder, file));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw invalid(folder, `« ${file} » n'est pas du YAML valide (${(e as Error).message.split('\n')[0]}).`);
  }
}

const issue = (e: z.ZodError) => {
  const i = e.issues[0];
  return `${i?.path.join('.') || 'racine'} : ${i?.message ?? ''}`;
};

/** Reads and checks a course folder (every problem is a French `config_invalid`). */
export function readCourse(folder: string): Course {
  const manifest = manifestSchema.safeParse(yamlOf(folder, 'manifest.yaml'));
  if (!manifest.success) throw invalid(folder, `manifest.yaml, ${issue(manifest.error)}`);
  const m = manifest.data;
  const bankFile = z
    .strictObject({ questions: z.array(questionSchema).min(1) })
    .safeParse(yamlOf(folder, m.quiz));
  if (!bankFile.success) throw invalid(folder, `${m.quiz}, ${issue(bankFile.error)}`);
  const chapters = m.chapters.map((c) => ({
    id: c.id,
    title: c.title,
    minutes: c.minutes,
    markdown: readInside(folder, c.file),
  }));
  const chapterIds = new Set(chapters.map((c) => c.id));
  if (chapterIds.size !== chapters.length) throw invalid(folder, 'deux chapitres ont le même identifiant.');
  const seen = new Set<string>();
  for (const q of bankFile.data.questions) {
    if (seen.has(q.id)) throw invalid(folder, `question « ${q.id} » en double.`);
    seen.add(q.id);
    if (!chapterIds.has(q.chapter))
      throw invalid(folder, `question « ${q.id} » : chapitre « ${q.chapter} » inconnu.`);
    if (q.answer >= q.choices.length)
      throw invalid(folder, `question « ${q.id} » : la réponse ${q.answer} n'est pas un des choix.`);
  }
  return { version: m.version, title: m.title, minutes: m.minutes, chapters, bank: bankFile.data.questions };
}

const cache = new Map<string, { stamp: string; course: Course }>();

/** The course of `folder` (default: the built-in one), read again when its manifest or bank changed. */
export function loadCourse(folder: string = BUILTIN_COURSE_DIR): Course {
  const stamp = ['manifest.yaml', 'quiz.yaml']
    .map((f) => statSync(join(folder, f), { throwIfNoEntry: false })?.mtimeMs ?? 0)
    .join(':');
  const hit = cache.get(folder);
  if (hit && hit.stamp === stamp) return hit.course;
  const course = readCourse(folder);
  cache.set(folder, { stamp, course });
  return course;
}

/** `n` distinct questions of the bank in random order (all of them when the bank is smaller). */
export function drawQuestions(bank: Question[], n: number, random: () => number = Math.random): Question[] {
  const pool = [...bank];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, Math.min(n, pool.length));
}

/**
 * The order a quiz shows a question's choices in: a permutation drawn from the quiz and question
 * ids (the bank's order, where the right answer often sits at the same place, is not shown).
 * `order[i]` is the bank index of the choice shown at position `i`.
 */
export function choiceOrder(quizId: string, q: Question): number[] {
  const seed = createHash('sha256').update(`${quizId}\0${q.id}`).digest();
  const order = q.choices.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = seed[i % seed.length] % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** A question as shown in the quiz `quizId`: its choices in the quiz's order, without the answer. */
export const withoutAnswer = (quizId: string, q: Question): QuizQuestion => ({
  id: q.id,
  chapter: q.chapter,
  question: q.question,
  choices: choiceOrder(quizId, q).map((i) => q.choices[i]),
});

/**
 * Scores the answers given to the questions drawn (`ids`) of quiz `quizId`: choice numbers as the
 * quiz showed them; every drawn question must be answered with one of its choices. A question no longer in the bank is an error (the course changed).
 */
export function scoreQuiz(
  bank: Question[],
  quizId: string,
  ids: string[],
  answers: Record<string, number>,
): QuizScore {
  const byId = new Map(bank.map((q) => [q.id, q]));
  const results = ids.map((id): QuestionResult => {
    const q = byId.get(id);
    if (!q)
      throw new AppError('conflict', 'La formation a changé depuis le tirage du quiz : recommencez le quiz.');
    const chosen = answers[id];
    if (chosen === undefined)
      throw new AppError(
        'invalid_request',
        `Répondez à toutes les questions (question « ${id} » sans réponse).`,
        {
          param: `answers.${id}`,
        },
      );
    if (!Number.isInteger(chosen) || chosen < 0 || chosen >= q.choices.length)
      throw new AppError('invalid_request', `Réponse inconnue à la question « ${id} ».`, {
        param: `answers.${id}`,
      });
    const order = choiceOrder(quizId, q);
    return {
      id,
      question: q.question,
      choices: order.map((i) => q.choices[i]),
      chosen,
      answer: order.indexOf(q.answer),
      correct: order[chosen] === q.answer,
      explanation: q.explanation,
    };
  });
  const correct = results.filter((r) => r.correct).length;
  return { correct, total: results.length, score: results.length ? correct / results.length : 0, results };
}
