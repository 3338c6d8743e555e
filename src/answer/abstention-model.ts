import type { LogisticModel } from './abstention.js';

/**
 * Written by scripts/fit-abstention.ts on eval/rag-dev.jsonl + eval/rag-dev2.jsonl (196 questions, 31 unanswerable).
 * Cross-validated: unanswerable refused 0.737, false refusals 0.046.
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
  mean: [0.491837, 1.352774, 2.123836, 0.05102, 0.076531, 0.010204, 0.015306, 0.020408, 0.020408],
  scale: [0.31438, 0.641343, 0.42811, 0.262346, 0.265845, 0.100499, 0.122767, 0.141392, 0.141392],
  weights: [-0.048856, -1.399575, -1.164499, 0.538435, 0.614787, 0.494728, 0.460458, 0.851847, 0.601133],
  bias: -1.05859,
  threshold: 0.590297,
};
