import { newId, toTrainingCompletion, toTrainingQuiz } from '../shared-rows.js';
import type { TrainingCompletion, TrainingQuiz, TrainingRepo } from '../training-spec.js';
import type { Db } from './open.js';

export class SqliteTraining implements TrainingRepo {
  constructor(private readonly db: Db) {}

  async createQuiz(
    q: Omit<TrainingQuiz, 'id' | 'createdAt'> & { createdAt?: string },
  ): Promise<TrainingQuiz> {
    const row = { ...q, id: newId('quiz'), createdAt: q.createdAt ?? new Date().toISOString() };
    this.db
      .prepare(
        `INSERT INTO training_quizzes (id, org_id, user_id, course_version, question_ids, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.id,
        row.orgId,
        row.userId,
        row.courseVersion,
        JSON.stringify(row.questionIds),
        row.createdAt,
        row.expiresAt,
      );
    return row;
  }

  async getQuiz(id: string): Promise<TrainingQuiz | null> {
    const r = this.db.prepare('SELECT * FROM training_quizzes WHERE id = ?').get(id);
    return r ? toTrainingQuiz(r) : null;
  }

  async takeQuiz(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM training_quizzes WHERE id = ?').run(id).changes === 1;
  }

  async deleteExpiredQuizzes(now: string): Promise<number> {
    return this.db.prepare('DELETE FROM training_quizzes WHERE expires_at < ?').run(now).changes;
  }

  async deleteOpenQuizzes(userId: string): Promise<number> {
    return this.db.prepare('DELETE FROM training_quizzes WHERE user_id = ?').run(userId).changes;
  }

  async record(
    c: Omit<TrainingCompletion, 'id' | 'completedAt'> & { completedAt?: string },
  ): Promise<TrainingCompletion> {
    const row = { ...c, id: newId('trn'), completedAt: c.completedAt ?? new Date().toISOString() };
    this.db
      .prepare(
        `INSERT INTO training_completions (id, org_id, user_id, course_version, correct, total, score, passed, completed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.id,
        row.orgId,
        row.userId,
        row.courseVersion,
        row.correct,
        row.total,
        row.score,
        row.passed ? 1 : 0,
        row.completedAt,
      );
    return row;
  }

  async completions(filter: { orgId: string; userId?: string }): Promise<TrainingCompletion[]> {
    const byUser = filter.userId !== undefined;
    return this.db
      .prepare(
        `SELECT * FROM training_completions WHERE org_id = ?${byUser ? ' AND user_id = ?' : ''}
         ORDER BY completed_at DESC, id DESC`,
      )
      .all(...(byUser ? [filter.orgId, filter.userId] : [filter.orgId]))
      .map(toTrainingCompletion);
  }

  async hasPassed(orgId: string, userId: string, courseVersion: string): Promise<boolean> {
    return !!this.db
      .prepare(
        'SELECT 1 FROM training_completions WHERE org_id = ? AND user_id = ? AND course_version = ? AND passed = 1 LIMIT 1',
      )
      .get(orgId, userId, courseVersion);
  }
}
