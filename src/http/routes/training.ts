import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../../services.js';
import type { TrainingCompletion } from '../../store/training-spec.js';
import { reportPdf } from '../../training/report-pdf.js';
import {
  courseOf,
  REPORT_HEAD,
  reportRows,
  startQuiz,
  submitQuiz,
  trainingCsv,
  trainingReport,
  trainingStatus,
  type TrainingDeps,
} from '../../usecases/manage-training.js';
import type { AppEnv } from '../env.js';
import { errors, OrgIdQuery, targetOrg } from './admin/shared.js';

/**
 * The agents' AI training (AI Act art. 4): the course and one's own status, a quiz drawn without its
 * answers, its scoring on the server, and the organisation's report for its admin (JSON, CSV, PDF).
 */
const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const Completion = z
  .object({
    id: z.string(),
    user_id: z.string(),
    course_version: z.string(),
    correct: z.number().int(),
    total: z.number().int(),
    score: z.number(),
    passed: z.boolean(),
    completed_at: z.string(),
  })
  .openapi('TrainingCompletion');

const completionJson = (c: TrainingCompletion | null) =>
  c && {
    id: c.id,
    user_id: c.userId,
    course_version: c.courseVersion,
    correct: c.correct,
    total: c.total,
    score: c.score,
    passed: c.passed,
    completed_at: c.completedAt,
  };

const Training = z
  .object({
    object: z.literal('training'),
    version: z.string(),
    title: z.string(),
    minutes: z.number().int(),
    required: z.boolean(),
    questions: z.number().int().openapi({ description: 'Questions par quiz' }),
    pass_mark: z.number(),
    chapters: z.array(
      z.object({ id: z.string(), title: z.string(), minutes: z.number(), markdown: z.string() }),
    ),
    status: z.object({
      passed: z.boolean().openapi({ description: 'Version actuelle réussie' }),
      last_attempt: Completion.nullable(),
      last_passed: Completion.nullable(),
    }),
  })
  .openapi('Training');

const Quiz = z
  .object({
    id: z.string(),
    object: z.literal('training.quiz'),
    course_version: z.string(),
    expires_at: z.string(),
    pass_mark: z.number(),
    questions: z.array(
      z.object({ id: z.string(), chapter: z.string(), question: z.string(), choices: z.array(z.string()) }),
    ),
  })
  .openapi('TrainingQuiz');

const Answers = z
  .object({
    answers: z
      .record(z.string().max(40), z.number().int().min(0).max(20))
      .openapi({ description: 'Identifiant de question → numéro du choix (à partir de 0)' }),
  })
  .strict()
  .openapi('TrainingAnswers');

const Result = z
  .object({
    object: z.literal('training.result'),
    passed: z.boolean(),
    score: z.number(),
    correct: z.number().int(),
    total: z.number().int(),
    pass_mark: z.number(),
    completion: Completion,
    results: z.array(
      z.object({
        id: z.string(),
        question: z.string(),
        choices: z.array(z.string()),
        chosen: z.number().int(),
        answer: z.number().int(),
        correct: z.boolean(),
        explanation: z.string(),
      }),
    ),
  })
  .openapi('TrainingResult');

const Report = z
  .object({
    object: z.literal('list'),
    org_id: z.string(),
    course_version: z.string(),
    pass_mark: z.number(),
    data: z.array(
      z.object({
        user_id: z.string(),
        name: z.string(),
        email: z.string(),
        role: z.string(),
        status: z.enum(['current', 'outdated', 'failed', 'never']),
        attempts: z.number().int(),
        last_attempt: Completion.nullable(),
        last_passed: Completion.nullable(),
      }),
    ),
  })
  .openapi('TrainingReport');

const routes = {
  get: createRoute({
    method: 'get',
    path: '/v1/training',
    summary: 'Formation à l’IA : chapitres (Markdown), réglages du quiz et où j’en suis',
    responses: { 200: json(Training, 'La formation'), ...errors },
  }),
  quiz: createRoute({
    method: 'post',
    path: '/v1/training/quiz',
    summary: 'Tire un quiz au hasard dans la banque de questions (sans les réponses)',
    responses: { 201: json(Quiz, 'Le quiz tiré'), ...errors },
  }),
  answers: createRoute({
    method: 'post',
    path: '/v1/training/quiz/{id}/answers',
    summary: 'Corrige le quiz sur le serveur et enregistre le résultat',
    description: 'Un quiz ne se corrige qu’une fois ; la correction détaillée est renvoyée après l’envoi.',
    request: {
      params: z.object({ id: z.string().min(1).max(100) }),
      body: { content: { 'application/json': { schema: Answers } }, required: true },
    },
    responses: {
      200: json(Result, 'Le résultat'),
      409: json(z.unknown(), 'Quiz expiré ou formation changée'),
      ...errors,
    },
  }),
  report: createRoute({
    method: 'get',
    path: '/v1/admin/training/completions',
    summary: 'Qui a suivi la formation à l’IA, sur quelle version (JSON, CSV ou PDF)',
    request: {
      query: z.object({ format: z.enum(['json', 'csv', 'pdf']).default('json'), org_id: OrgIdQuery }),
    },
    responses: {
      200: {
        description: 'Le suivi de la formation',
        content: {
          'application/json': { schema: Report },
          'text/csv': { schema: z.string() },
          'application/pdf': { schema: z.string() },
        },
      },
      ...errors,
    },
  }),
};

export function registerTrainingRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const deps: TrainingDeps = { store: services.store, config: services.config.training };

  app.openapi(routes.get, async (c) => {
    const course = courseOf(deps.config);
    const s = await trainingStatus(deps, c.get('principal'));
    return c.json(
      {
        object: 'training' as const,
        version: course.version,
        title: course.title,
        minutes: course.minutes,
        required: deps.config.required,
        questions: Math.min(deps.config.questions, course.bank.length),
        pass_mark: deps.config.pass_mark,
        chapters: course.chapters,
        status: {
          passed: s.passed,
          last_attempt: completionJson(s.lastAttempt),
          last_passed: completionJson(s.lastPassed),
        },
      },
      200,
    );
  });

  app.openapi(routes.quiz, async (c) => {
    const q = await startQuiz(deps, c.get('principal'));
    return c.json(
      {
        id: q.id,
        object: 'training.quiz' as const,
        course_version: q.courseVersion,
        expires_at: q.expiresAt,
        pass_mark: q.passMark,
        questions: q.questions,
      },
      201,
    );
  });

  app.openapi(routes.answers, async (c) => {
    const r = await submitQuiz(
      deps,
      c.get('principal'),
      c.req.valid('param').id,
      c.req.valid('json').answers,
    );
    return c.json(
      {
        object: 'training.result' as const,
        passed: r.completion.passed,
        score: r.score,
        correct: r.correct,
        total: r.total,
        pass_mark: r.passMark,
        completion: completionJson(r.completion)!,
        results: r.results,
      },
      200,
    );
  });

  app.openapi(routes.report, async (c) => {
    const q = c.req.valid('query');
    const p = c.get('principal');
    const orgId = await targetOrg(services.store, p, q.org_id);
    const report = await trainingReport(deps, orgId);
    const file = `formation-ia-${orgId}-${new Date().toISOString().slice(0, 10)}`;
    if (q.format === 'csv')
      return c.body(trainingCsv(report), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${file}.csv"`,
      });
    if (q.format === 'pdf') {
      const org = await services.store.accounts.orgs.get(orgId);
      const pdf = await reportPdf({
        title: 'Formation à l’IA des agents (AI Act, article 4)',
        subtitle: [
          `Organisation : ${org?.name ?? orgId}`,
          `Édité le ${new Date().toISOString().slice(0, 10)} — version actuelle de la formation : ${report.courseVersion} — seuil de réussite : ${Math.round(report.passMark * 100)} %`,
          `${report.people.filter((x) => x.status === 'current').length} personne(s) à jour sur ${report.people.length}`,
        ],
        head: REPORT_HEAD,
        rows: reportRows(report),
        widths: [3, 4, 1.5, 2, 1.6, 1, 1.6, 1.2, 1.8],
      });
      return c.body(Buffer.from(pdf), 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${file}.pdf"`,
      });
    }
    return c.json(
      {
        object: 'list' as const,
        org_id: orgId,
        course_version: report.courseVersion,
        pass_mark: report.passMark,
        data: report.people.map((x) => ({
          user_id: x.user.id,
          name: x.user.name,
          email: x.user.email,
          role: x.user.role,
          status: x.status,
          attempts: x.attempts,
          last_attempt: completionJson(x.lastAttempt),
          last_passed: completionJson(x.lastPassed),
        })),
      },
      200,
    );
  });
}
