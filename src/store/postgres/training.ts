import { newId, toTrainingCompletion, toTrainingQuiz } from '../shared-rows.js';
import type { TrainingCompletion, TrainingQuiz, TrainingRepo } from '../training-spec.js';
import type { Pool } from './db.js';

export class PostgresTraining implements TrainingRepo {
  constructor(private readonly pool: Pool) {}

  async createQuiz(
    q: Omit<TrainingQuiz, 'id' | 'createdAt'> & { createdAt?: string },
  ): Promise<TrainingQuiz> {
    const row = { ...q, id: newId('quiz'), createdAt: q.createdAt ?? new Date().toISOString() };
    await this.pool.query(
      `INSERT INTO training_quizzes (id, org_id, user_id, course_version, question_ids, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        row.id,
        row.orgId,
        row.userId,
        row.courseVersion,
        JSON.stringify(row.questionIds),
        row.createdAt,
        row.expiresAt,
      ],
    );
    return row;
  }

  async getQuiz(id: string): Promise<TrainingQuiz | null> {
    const { rows } = await this.pool.query('SELECT * FROM training_quizzes WHERE id = $1', [id]);
    return rows[0] ? toTrainingQuiz(rows[0]) : null;
  }

  async takeQuiz(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM training_quizzes WHERE id = $1', [id]);
    return rowCount === 1;
  }

  async deleteExpiredQuizzes(now: string): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM training_quizzes WHERE expires_at < $1', [now]);
    return rowCount ?? 0;
  }

  async deleteOpenQuizzes(userId: string): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM training_quizzes WHERE user_id = $1', [userId]);
    return rowCount ?? 0;
  }

  async record(
    c: Omit<TrainingCompletion, 'id' | 'completedAt'> & { completedAt?: string },
  ): Promise<TrainingCompletion> {
    const row = { ...c, id: newId('trn'), completedAt: c.completedAt ?? new Date().toISOString() };
    await this.pool.query(
      `INSERT INTO training_completions (id, org_id, user_id, course_version, correct, total, score, passed, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.id,
        row.orgId,
        row.userId,
        row.courseVersion,
        row.correct,
        row.total,
        row.score,
        row.passed,
        row.completedAt,
      ],
    );
    return row;
  }

  async completions(filter: { orgId: string; userId?: string }): Promise<TrainingCompletion[]> {
    const byUser = filter.userId !== undefined;
    const { rows } = await this.pool.query(
      `SELECT * FROM training_completions WHERE org_id = $1${byUser ? ' AND user_id = $2' : ''}
       ORDER BY completed_at DESC, id DESC`,
      byUser ? [filter.orgId, filter.userId] : [filter.orgId],
    );
    return rows.map(toTrainingCompletion);
  }

  async hasPassed(orgId: string, userId: string, courseVersion: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM training_completions
       WHERE org_id = $1 AND user_id = $2 AND course_version = $3 AND passed LIMIT 1`,
      [orgId, userId, courseVersion],
    );
    return rows.length > 0;
  }
}
