/**
 * The agents' AI training on both engines (SQLite, PostgreSQL): the store's quizzes and attempts,
 * the routes over loopback HTTP — scoring on the server (the quiz never carries its answers), one
 * scoring per quiz, `training.required` gating web sessions and not API keys, a new course version
 * asking again, and the admin's CSV and PDF exports.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createApiKey } from '../../src/accounts/create-api-key.js';
import { CSRF_HEADER, csrfTokenFor, openSession, SESSION_COOKIE } from '../../src/accounts/oidc/sessions.js';
import type { User } from '../../src/accounts/model.js';
import { composeServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/spec.js';
import { BUILTIN_COURSE_DIR } from '../../src/training/course.js';
import { createDatabase, dropDatabase, unreachableReason } from '../store/postgres-server.js';

const reason = await unreachableReason();
if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true : PostgreSQL est requis)`);
if (reason) console.warn(`[training] ${reason} : volet PostgreSQL ignoré.`);

interface BankQuestion {
  id: string;
  choices: string[];
  answer: number;
  explanation: string;
}
const BANK = (
  parseYaml(readFileSync(join(BUILTIN_COURSE_DIR, 'quiz.yaml'), 'utf8')) as { questions: BankQuestion[] }
).questions;
const byId = new Map(BANK.map((q) => [q.id, q]));

interface QuizJson {
  id: string;
  course_version: string;
  questions: { id: string; choices: string[] }[];
}

/** The right choice's number as the quiz shows it (the quiz shuffles the choices). */
const rightAnswers = (quiz: QuizJson) =>
  Object.fromEntries(
    quiz.questions.map((q) => [q.id, q.choices.indexOf(byId.get(q.id)!.choices[byId.get(q.id)!.answer])]),
  );
const wrongAnswers = (quiz: QuizJson) =>
  Object.fromEntries(Object.entries(rightAnswers(quiz)).map(([id, a]) => [id, a === 0 ? 1 : 0]));

interface Engine {
  name: string;
  open(dir: string): Promise<{ store: Store; dispose(): Promise<void> }>;
}

const ENGINES: Engine[] = [
  { name: 'sqlite', open: async (dir) => ({ store: openSqliteStore(dir), dispose: async () => {} }) },
];
if (!reason)
  ENGINES.push({
    name: 'postgres',
    open: async () => {
      const db = await createDatabase();
      const store = await openPostgresStore({ url: db.url, maxConnections: 4 });
      return { store, dispose: () => dropDatabase(db.name) };
    },
  });

for (const engine of ENGINES) {
  describe(`AI training (${engine.name})`, () => {
    let dir: string;
    let courseDir: string;
    let services: Services;
    let disposeStore: () => Promise<void>;
    let url: string;
    let server: ReturnType<typeof serve>;
    let alice: User;
    let bob: User;
    let adminKey: string;
    let bobKey: string;
    const cookies: Record<string, Record<string, string>> = {};

    const call = async (who: Record<string, string>, method: string, path: string, body?: unknown) => {
      const r = await fetch(`${url}${path}`, {
        method,
        headers: { ...who, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, headers: r.headers, text: await r.text() };
    };
    const drawQuiz = async (who: Record<string, string>) => {
      const r = await call(who, 'POST', '/v1/training/quiz');
      expect(r.status, r.text).toBe(201);
      return JSON.parse(r.text) as QuizJson;
    };
    const ask = (who: Record<string, string>) =>
      call(who, 'POST', '/v1/conversations/new/messages', {
        content: 'Comment refaire sa carte d’identité ?',
      });
    const setVersion = (version: string) => {
      const file = join(courseDir, 'manifest.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: .*$/m, `version: '${version}'`));
      const later = new Date(Date.now() + 5_000 + Math.random() * 1000);
      utimesSync(file, later, later); // a new modification time, whatever the clock's resolution
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'guichet-training-'));
      courseDir = join(dir, 'formation');
      cpSync(BUILTIN_COURSE_DIR, courseDir, { recursive: true });
      const opened = await engine.open(dir);
      disposeStore = opened.dispose;
      const config = loadConfig({
        env: {},
        file: undefined,
        overrides: {
          data_dir: dir,
          log_level: 'silent',
          training: { required: true, questions: 5, pass_mark: 0.8, folder: courseDir },
        },
      });
      services = composeServices({ config, store: opened.store, env: {} });
      const store = services.store;
      await store.accounts.orgs.create({ id: 'mairie', name: 'Mairie de Test' });
      await store.accounts.orgs.create({ id: 'autre', name: 'Autre commune' });
      alice = await store.accounts.users.create({
        email: 'alice@mairie.fr',
        name: 'Alice Martin',
        orgId: 'mairie',
        role: 'agent',
      });
      bob = await store.accounts.users.create({
        email: 'bob@mairie.fr',
        name: '=HYPERLINK("x")',
        orgId: 'mairie',
        role: 'agent',
      });
      const admin = await store.accounts.users.create({
        email: 'admin@mairie.fr',
        name: 'Admin',
        orgId: 'mairie',
        role: 'admin',
      });
      await store.accounts.users.create({
        email: 'carl@autre.fr',
        name: 'Carl Autre',
        orgId: 'autre',
        role: 'agent',
      });
      adminKey = (
        await createApiKey({ store, orgId: 'mairie', role: 'admin', name: 'admin', userId: admin.id })
      ).key;
      bobKey = (
        await createApiKey({ store, orgId: 'mairie', role: 'agent', name: 'script de Bob', userId: bob.id })
      ).key;
      for (const u of [alice, bob]) {
        const s = await openSession({ store, user: u, ttlSeconds: 3600 });
        const cookie = `${SESSION_COOKIE}=${s.id}`;
        // As the web UI does: the session's CSRF token on every request made with the cookie.
        cookies[u.id] = { cookie, [CSRF_HEADER]: csrfTokenFor(cookie)! };
      }
      const app = createApp(services);
      server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }, 120_000);

    afterAll(async () => {
      if (server) await new Promise<void>((r) => server.close(() => r()));
      await services?.close();
      await disposeStore?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it('store: a quiz is scored once, attempts are listed newest first, passes are per version, erasure removes them', async () => {
      const t = services.store.training;
      const quiz = await t.createQuiz({
        orgId: 'autre',
        userId: (await services.store.accounts.users.list('autre'))[0].id,
        courseVersion: 'v1',
        questionIds: ['a', 'b'],
        expiresAt: '2999-01-01T00:00:00.000Z',
      });
      expect((await t.getQuiz(quiz.id))?.questionIds).toEqual(['a', 'b']);
      const both = await Promise.all([t.takeQuiz(quiz.id), t.takeQuiz(quiz.id)]);
      expect(both.filter(Boolean)).toHaveLength(1);
      expect(await t.getQuiz(quiz.id)).toBeNull();
      const carl = (await services.store.accounts.users.list('autre'))[0];
      await t.record({
        orgId: 'autre',
        userId: carl.id,
        courseVersion: 'v1',
        correct: 4,
        total: 5,
        score: 0.8,
        passed: true,
        completedAt: '2026-01-01T00:00:00.000Z',
      });
      await t.record({
        orgId: 'autre',
        userId: carl.id,
        courseVersion: 'v2',
        correct: 1,
        total: 5,
        score: 0.2,
        passed: false,
        completedAt: '2026-02-01T00:00:00.000Z',
      });
      const rows = await t.completions({ orgId: 'autre' });
      expect(rows.map((r) => [r.courseVersion, r.passed, r.score])).toEqual([
        ['v2', false, 0.2],
        ['v1', true, 0.8],
      ]);
      expect(await t.hasPassed('autre', carl.id, 'v1')).toBe(true);
      expect(await t.hasPassed('autre', carl.id, 'v2')).toBe(false);
      expect(await t.hasPassed('mairie', carl.id, 'v1')).toBe(false);
      await t.createQuiz({
        orgId: 'autre',
        userId: carl.id,
        courseVersion: 'v1',
        questionIds: [],
        expiresAt: '2000-01-01T00:00:00.000Z',
      });
      expect(await t.deleteExpiredQuizzes(new Date().toISOString())).toBe(1);
      await t.createQuiz({
        orgId: 'autre',
        userId: carl.id,
        courseVersion: 'v1',
        questionIds: [],
        expiresAt: '2999-01-01T00:00:00.000Z',
      });
      expect(await t.deleteOpenQuizzes(carl.id)).toBe(1);
      await services.store.personalData.erase(carl.id);
      expect(await t.completions({ orgId: 'autre' })).toEqual([]);
    });

    it('the course and a quiz drawn without answers; scoring on the server, once', async () => {
      const course = await call(cookies[alice.id], 'GET', '/v1/training');
      expect(course.status).toBe(200);
      const body = JSON.parse(course.text) as {
        version: string;
        chapters: { markdown: string }[];
        required: boolean;
        status: { passed: boolean };
      };
      expect(body.version).toBe('2026-12');
      expect(body.chapters).toHaveLength(8);
      expect(body.chapters[4].markdown).toContain('novembre 2020');
      expect(body.required).toBe(true);
      expect(body.status.passed).toBe(false);

      const drawn = await call(cookies[alice.id], 'POST', '/v1/training/quiz');
      expect(drawn.status).toBe(201);
      const quiz = JSON.parse(drawn.text) as QuizJson;
      expect(quiz.questions).toHaveLength(5);
      expect(new Set(quiz.questions.map((q) => q.id)).size).toBe(5);
      // Nothing of the correction travels with the questions.
      expect(drawn.text).not.toMatch(/"answer"|"explanation"/);
      for (const q of quiz.questions) expect(drawn.text).not.toContain(byId.get(q.id)!.explanation);
      // The shown choices are the bank's, in the quiz's own order.
      for (const q of quiz.questions)
        expect([...q.choices].sort()).toEqual([...byId.get(q.id)!.choices].sort());

      // Another person cannot answer it; an incomplete answer is refused and leaves the quiz open.
      expect(
        (
          await call(cookies[bob.id], 'POST', `/v1/training/quiz/${quiz.id}/answers`, {
            answers: rightAnswers(quiz),
          })
        ).status,
      ).toBe(404);
      const partial = Object.fromEntries(Object.entries(rightAnswers(quiz)).slice(1));
      const incomplete = await call(cookies[alice.id], 'POST', `/v1/training/quiz/${quiz.id}/answers`, {
        answers: partial,
      });
      expect(incomplete.status).toBe(400);
      expect(incomplete.text).toContain('Répondez à toutes les questions');
      const outOfRange = { ...rightAnswers(quiz), [quiz.questions[0].id]: 9 };
      expect(
        (
          await call(cookies[alice.id], 'POST', `/v1/training/quiz/${quiz.id}/answers`, {
            answers: outOfRange,
          })
        ).status,
      ).toBe(400);

      const scored = await call(cookies[alice.id], 'POST', `/v1/training/quiz/${quiz.id}/answers`, {
        answers: rightAnswers(quiz),
      });
      expect(scored.status, scored.text).toBe(200);
      const result = JSON.parse(scored.text) as {
        passed: boolean;
        score: number;
        correct: number;
        results: { correct: boolean; explanation: string; answer: number; chosen: number }[];
      };
      expect(result).toMatchObject({ passed: true, score: 1, correct: 5 });
      expect(
        result.results.every((r) => r.correct && r.answer === r.chosen && r.explanation.length > 0),
      ).toBe(true);
      // Scored once.
      expect(
        (
          await call(cookies[alice.id], 'POST', `/v1/training/quiz/${quiz.id}/answers`, {
            answers: rightAnswers(quiz),
          })
        ).status,
      ).toBe(404);
      const after = JSON.parse((await call(cookies[alice.id], 'GET', '/v1/training')).text) as {
        status: { passed: boolean; last_passed: { score: number; course_version: string } };
      };
      expect(after.status.passed).toBe(true);
      expect(after.status.last_passed).toMatchObject({ score: 1, course_version: '2026-12' });
    });

    it('a failed quiz is recorded, not passed; a new draw replaces the open quiz', async () => {
      const first = await drawQuiz(cookies[bob.id]);
      const quiz = await drawQuiz(cookies[bob.id]);
      expect(
        (
          await call(cookies[bob.id], 'POST', `/v1/training/quiz/${first.id}/answers`, {
            answers: wrongAnswers(first),
          })
        ).status,
      ).toBe(404);
      const r = await call(cookies[bob.id], 'POST', `/v1/training/quiz/${quiz.id}/answers`, {
        answers: wrongAnswers(quiz),
      });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ passed: false, score: 0, correct: 0, total: 5 });
      const rows = await services.store.training.completions({ orgId: 'mairie', userId: bob.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ passed: false, courseVersion: '2026-12', total: 5 });
    });

    it('training.required: an untrained web session is refused with training_required; a trained one and API keys are not', async () => {
      const refused = await ask(cookies[bob.id]);
      expect(refused.status).toBe(403);
      const err = JSON.parse(refused.text) as { error: { code: string; message: string } };
      expect(err.error.code).toBe('training_required');
      expect(err.error.message).toContain('formation à l’IA');
      // Search and chat completions from the web session too.
      expect((await call(cookies[bob.id], 'POST', '/v1/search', { query: 'carte' })).status).toBe(403);
      // Bob's own key (machine use) is not held.
      expect((await ask({ authorization: `Bearer ${bobKey}` })).status).toBe(200);
      // Alice passed: she asks.
      expect((await ask(cookies[alice.id])).status).toBe(200);
      // Training itself stays open to the untrained.
      expect((await call(cookies[bob.id], 'GET', '/v1/training')).status).toBe(200);
    });

    it('the admin lists who has done it, as JSON, CSV (formulas neutralised) and PDF; an agent cannot', async () => {
      const admin = { authorization: `Bearer ${adminKey}` };
      const json = JSON.parse((await call(admin, 'GET', '/v1/admin/training/completions')).text) as {
        course_version: string;
        data: { email: string; status: string; attempts: number }[];
      };
      expect(json.course_version).toBe('2026-12');
      expect(json.data.map((d) => [d.email, d.status, d.attempts])).toEqual([
        ['bob@mairie.fr', 'failed', 1],
        ['admin@mairie.fr', 'never', 0],
        ['alice@mairie.fr', 'current', 1],
      ]);
      const csv = await call(admin, 'GET', '/v1/admin/training/completions?format=csv');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect(csv.headers.get('content-disposition')).toMatch(
        /attachment; filename="formation-ia-mairie-.*\.csv"/,
      );
      const lines = csv.text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toBe(
        'Personne;Adresse électronique;Rôle;Statut;Réussite le;Score;Version réussie;Tentatives;Dernière tentative',
      );
      expect(lines).toHaveLength(4);
      const today = new Date().toISOString().slice(0, 10);
      expect(lines).toContain(`Alice Martin;alice@mairie.fr;agent;À jour;${today};100 %;2026-12;1;${today}`);
      expect(lines).toContain(`"'=HYPERLINK(""x"")";bob@mairie.fr;agent;Quiz non réussi;;;;1;${today}`);
      expect(csv.text).not.toContain('Carl'); // another organisation
      const pdf = await fetch(`${url}/v1/admin/training/completions?format=pdf`, { headers: admin });
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      const bytes = new Uint8Array(await pdf.arrayBuffer());
      expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
      const doc = await PDFDocument.load(bytes);
      expect(doc.getPageCount()).toBe(1);
      expect(doc.getTitle()).toContain('Formation à l’IA');
      expect((await call(cookies[alice.id], 'GET', '/v1/admin/training/completions')).status).toBe(403);
      expect((await call(admin, 'GET', '/v1/admin/training/completions?org_id=autre')).status).toBe(404);
      expect((await call(admin, 'GET', '/v1/admin/training/completions?format=xls')).status).toBe(400);
    });

    it('a new course version asks again: quizzes drawn before it are refused, trained people are held again', async () => {
      const quiz = await drawQuiz(cookies[alice.id]);
      setVersion('2027-01');
      const stale = await call(cookies[alice.id], 'POST', `/v1/training/quiz/${quiz.id}/answers`, {
        answers: rightAnswers(quiz),
      });
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('La formation a changé');
      expect((await ask(cookies[alice.id])).status).toBe(403);
      const status = JSON.parse((await call(cookies[alice.id], 'GET', '/v1/training')).text) as {
        version: string;
        status: { passed: boolean; last_passed: { course_version: string } };
      };
      expect(status.version).toBe('2027-01');
      expect(status.status.passed).toBe(false);
      expect(status.status.last_passed.course_version).toBe('2026-12');
      const report = JSON.parse(
        (await call({ authorization: `Bearer ${adminKey}` }, 'GET', '/v1/admin/training/completions')).text,
      ) as { data: { email: string; status: string }[] };
      expect(report.data.find((d) => d.email === 'alice@mairie.fr')?.status).toBe('outdated');
      // Passing the new version opens the assistant again.
      const again = await drawQuiz(cookies[alice.id]);
      expect(again.course_version).toBe('2027-01');
      expect(
        (
          await call(cookies[alice.id], 'POST', `/v1/training/quiz/${again.id}/answers`, {
            answers: rightAnswers(again),
          })
        ).status,
      ).toBe(200);
      expect((await ask(cookies[alice.id])).status).toBe(200);
    });
  });
}
