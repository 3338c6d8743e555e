/**
 * The agents' AI training (AI Act art. 4): a person's status, a quiz drawn from the bank (answers
 * kept on the server), its scoring and record, the organisation's report (JSON, CSV, PDF) and the
 * gate of `training.required`.
 */
import { toCsv } from '../shared/csv.js';
import type { Principal, User } from '../accounts/model.js';
import { AppError } from '../shared/errors.js';
import type { Store } from '../store/spec.js';
import type { TrainingCompletion } from '../store/training-spec.js';
import type { TrainingConfig } from '../training/config.js';
import {
  BUILTIN_COURSE_DIR,
  drawQuestions,
  loadCourse,
  scoreQuiz,
  withoutAnswer,
  type Course,
  type QuizQuestion,
  type QuizScore,
} from '../training/course.js';

export interface TrainingDeps {
  store: Store;
  config: TrainingConfig;
}

export const courseOf = (config: TrainingConfig): Course => loadCourse(config.folder ?? BUILTIN_COURSE_DIR);

/** The person a training is recorded for; a key without a holder has none. */
export function personOf(p: Principal): string {
  if (p.userId) return p.userId;
  throw new AppError(
    'forbidden',
    'La formation est enregistrée au nom d’une personne : connectez-vous avec votre compte (une clé d’API sans titulaire ne peut pas la suivre).',
  );
}

export interface TrainingStatus {
  courseVersion: string;
  required: boolean;
  /** Passed the current version. */
  passed: boolean;
  lastAttempt: TrainingCompletion | null;
  lastPassed: TrainingCompletion | null;
}

export async function trainingStatus(deps: TrainingDeps, p: Principal): Promise<TrainingStatus> {
  const course = courseOf(deps.config);
  const attempts = p.userId
    ? await deps.store.training.completions({ orgId: p.orgId, userId: p.userId })
    : [];
  return {
    courseVersion: course.version,
    required: deps.config.required,
    passed: attempts.some((a) => a.passed && a.courseVersion === course.version),
    lastAttempt: attempts[0] ?? null,
    lastPassed: attempts.find((a) => a.passed) ?? null,
  };
}

export interface DrawnQuiz {
  id: string;
  courseVersion: string;
  expiresAt: string;
  passMark: number;
  questions: QuizQuestion[];
}

/**
 * Draws `training.questions` questions at random; the client gets them without their answers. A
 * person has one open quiz at a time: drawing a new one drops the previous one.
 */
export async function startQuiz(deps: TrainingDeps, p: Principal, now = new Date()): Promise<DrawnQuiz> {
  const userId = personOf(p);
  const course = courseOf(deps.config);
  await deps.store.training.deleteExpiredQuizzes(now.toISOString());
  await deps.store.training.deleteOpenQuizzes(userId);
  const questions = drawQuestions(course.bank, deps.config.questions);
  const quiz = await deps.store.training.createQuiz({
    orgId: p.orgId,
    userId,
    courseVersion: course.version,
    questionIds: questions.map((q) => q.id),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.config.quiz_minutes * 60_000).toISOString(),
  });
  return {
    id: quiz.id,
    courseVersion: course.version,
    expiresAt: quiz.expiresAt,
    passMark: deps.config.pass_mark,
    questions: questions.map((q) => withoutAnswer(quiz.id, q)),
  };
}

export interface QuizOutcome extends QuizScore {
  completion: TrainingCompletion;
  passMark: number;
}

/**
 * Scores a drawn quiz (once: the quiz is consumed) and records the attempt. Another person's quiz
 * is "not found"; an expired one, or one drawn from an older course version, must be drawn again.
 */
export async function submitQuiz(
  deps: TrainingDeps,
  p: Principal,
  quizId: string,
  answers: Record<string, number>,
  now = new Date(),
): Promise<QuizOutcome> {
  const userId = personOf(p);
  const quiz = await deps.store.training.getQuiz(quizId);
  if (!quiz || quiz.userId !== userId || quiz.orgId !== p.orgId)
    throw new AppError('not_found', 'Quiz introuvable ou déjà corrigé : tirez un nouveau quiz.');
  const course = courseOf(deps.config);
  if (Date.parse(quiz.expiresAt) <= now.getTime()) {
    await deps.store.training.takeQuiz(quiz.id);
    throw new AppError('conflict', 'Le temps du quiz est écoulé : tirez un nouveau quiz.');
  }
  if (quiz.courseVersion !== course.version) {
    await deps.store.training.takeQuiz(quiz.id);
    throw new AppError(
      'conflict',
      'La formation a changé depuis le tirage du quiz : relisez-la et recommencez le quiz.',
    );
  }
  const score = scoreQuiz(course.bank, quiz.id, quiz.questionIds, answers); // a 400 leaves the quiz to answer
  if (!(await deps.store.training.takeQuiz(quiz.id)))
    throw new AppError('not_found', 'Quiz introuvable ou déjà corrigé : tirez un nouveau quiz.');
  const completion = await deps.store.training.record({
    orgId: p.orgId,
    userId,
    courseVersion: quiz.courseVersion,
    correct: score.correct,
    total: score.total,
    score: score.score,
    passed: score.score >= deps.config.pass_mark,
    completedAt: now.toISOString(),
  });
  return { ...score, completion, passMark: deps.config.pass_mark };
}

/**
 * `training.required`: a person signed in through the web UI asks questions only once they passed
 * the current course version. API keys (machine use) and sessions without a person are not held.
 */
export async function checkTrainingGate(deps: TrainingDeps, p: Principal): Promise<void> {
  if (!deps.config.required || p.via !== 'session' || !p.userId) return;
  const version = courseOf(deps.config).version;
  if (await deps.store.training.hasPassed(p.orgId, p.userId, version)) return;
  throw new AppError(
    'training_required',
    `Avant de poser des questions à l’assistant, suivez la formation à l’IA (version ${version}) et réussissez son quiz : menu « Formation à l’IA ».`,
  );
}

export type PersonStatus = 'current' | 'outdated' | 'failed' | 'never';

export const STATUS_LABELS: Record<PersonStatus, string> = {
  current: 'À jour',
  outdated: 'Version ancienne',
  failed: 'Quiz non réussi',
  never: 'Jamais suivie',
};

export interface PersonTraining {
  user: User;
  status: PersonStatus;
  attempts: number;
  lastAttempt: TrainingCompletion | null;
  lastPassed: TrainingCompletion | null;
}

export interface TrainingReport {
  orgId: string;
  courseVersion: string;
  passMark: number;
  people: PersonTraining[];
}

/** Every person of the organisation with where they stand (current version passed or not). */
export async function trainingReport(deps: TrainingDeps, orgId: string): Promise<TrainingReport> {
  const version = courseOf(deps.config).version;
  const [users, rows] = await Promise.all([
    deps.store.accounts.users.list(orgId),
    deps.store.training.completions({ orgId }),
  ]);
  const byUser = new Map<string, TrainingCompletion[]>();
  for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
  const people = users
    .map((user): PersonTraining => {
      const mine = byUser.get(user.id) ?? []; // newest first
      const lastPassed = mine.find((r) => r.passed) ?? null;
      const status: PersonStatus = mine.some((r) => r.passed && r.courseVersion === version)
        ? 'current'
        : lastPassed
          ? 'outdated'
          : mine.length
            ? 'failed'
            : 'never';
      return { user, status, attempts: mine.length, lastAttempt: mine[0] ?? null, lastPassed };
    })
    .sort((a, b) => (a.user.name || a.user.email).localeCompare(b.user.name || b.user.email, 'fr'));
  return { orgId, courseVersion: version, passMark: deps.config.pass_mark, people };
}

const pct = (score: number) => `${Math.round(score * 100)} %`;
const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');

/** The columns of the CSV and the PDF. */
export function reportRows(r: TrainingReport): string[][] {
  return r.people.map((p) => [
    p.user.name,
    p.user.email,
    p.user.role,
    STATUS_LABELS[p.status],
    day(p.lastPassed?.completedAt),
    p.lastPassed ? pct(p.lastPassed.score) : '',
    p.lastPassed?.courseVersion ?? '',
    String(p.attempts),
    day(p.lastAttempt?.completedAt),
  ]);
}

export const REPORT_HEAD = [
  'Personne',
  'Adresse électronique',
  'Rôle',
  'Statut',
  'Réussite le',
  'Score',
  'Version réussie',
  'Tentatives',
  'Dernière tentative',
];

/**
 * CSV for a spreadsheet: `;` separated (French locale), UTF-8 with a BOM, CRLF; a cell starting
 * like a formula (`=`, `+`, `-`, `@`) is prefixed with `'` so a spreadsheet never runs it.
 */
export function trainingCsv(r: TrainingReport): string {
  return toCsv([REPORT_HEAD, ...reportRows(r)]);
}
