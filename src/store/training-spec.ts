/**
 * The agents' AI training (AI Act art. 4): quizzes drawn and not yet answered, and every attempt
 * recorded per organisation and person (date, score, course version, passed). Erasing a person
 * deletes their rows (foreign keys).
 */

export interface TrainingQuiz {
  id: string;
  orgId: string;
  userId: string;
  courseVersion: string;
  /** Bank ids of the questions drawn, in the order shown. */
  questionIds: string[];
  createdAt: string;
  expiresAt: string;
}

export interface TrainingCompletion {
  id: string;
  orgId: string;
  userId: string;
  courseVersion: string;
  correct: number;
  total: number;
  /** Share of right answers, 0 to 1. */
  score: number;
  passed: boolean;
  completedAt: string;
}

export interface TrainingRepo {
  createQuiz(quiz: Omit<TrainingQuiz, 'id' | 'createdAt'> & { createdAt?: string }): Promise<TrainingQuiz>;
  getQuiz(id: string): Promise<TrainingQuiz | null>;
  /** Deletes the quiz and says whether this call did (one scoring per quiz, even when two race). */
  takeQuiz(id: string): Promise<boolean>;
  /** Quizzes that expired before `now` (ISO) are deleted; returns how many. */
  deleteExpiredQuizzes(now: string): Promise<number>;
  /** A person's quizzes not answered yet are deleted (one open quiz per person); returns how many. */
  deleteOpenQuizzes(userId: string): Promise<number>;
  record(
    c: Omit<TrainingCompletion, 'id' | 'completedAt'> & { completedAt?: string },
  ): Promise<TrainingCompletion>;
  /** Every attempt of an organisation (optionally of one person), newest first. */
  completions(filter: { orgId: string; userId?: string }): Promise<TrainingCompletion[]>;
  /** Whether the person passed this version of the course (the gate of `training.required`). */
  hasPassed(orgId: string, userId: string, courseVersion: string): Promise<boolean>;
}
