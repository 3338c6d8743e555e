import { z } from 'zod';

/**
 * The `training` section of guichet.yaml: the agents' AI training (AI Act art. 4). The course and
 * its question bank are Markdown and YAML files (`training/` in the repository by default).
 */
export const trainingSchema = z.strictObject({
  /** People signed in through the web UI must have passed the current course version to ask questions. */
  required: z.boolean().default(false),
  /** Questions drawn at random from the bank for one quiz. */
  questions: z.number().int().min(1).max(100).default(10),
  /** Share of right answers needed to pass (0.8 = 8 out of 10). */
  pass_mark: z.number().min(0).max(1).default(0.8),
  /** Minutes a drawn quiz may be answered in. */
  quiz_minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** Folder of the course (manifest.yaml, chapters, quiz.yaml); default: the repository's `training/`. */
  folder: z.string().min(1).optional(),
});

export type TrainingConfig = z.infer<typeof trainingSchema>;
