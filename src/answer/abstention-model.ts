import type { LogisticModel } from './abstention.js';

/**
 * Written by scripts/fit-abstention.ts on eval/rag-dev.jsonl + eval/rag-dev2.jsonl (196 questions, 31 unanswerable).
 * Cross-validated: unanswerable refused 0.729, false refusals 0.042.
 */
export const ABSTENTION_MODEL: LogisticModel = {
  features: [
    'rare_coverage',
    'top_score',
    'length',
    'unknown_names',
    'realtime',
    'here',
    'local_office',
    'own_file',
    'opinion',
  ],
  mean: [0.524805, 1.351936, 2.094987, 0.05102, 0.076531, 0.010204, 0.015306, 0.020408, 0.020408],
  scale: [0.306559, 0.612268, 0.433256, 0.262346, 0.265845, 0.100499, 0.122767, 0.141392, 0.141392],
  weights: [-0.121313, -1.503966, -1.296829, 0.532123, 0.694723, 0.497914, 0.454221, 0.849449, 0.617323],
  bias: -1.157829,
  threshold: 0.626002,
};
