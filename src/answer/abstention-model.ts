import type { LogisticModel } from './abstention.js';

/**
 * Written by scripts/fit-abstention.ts on eval/rag-dev.jsonl + eval/rag-dev2.jsonl (196 questions, 31 unanswerable).
 * Cross-validated: unanswerable refused 0.711, false refusals 0.054.
 */
export const ABSTENTION_MODEL: LogisticModel = {
  features: [
    'coverage',
    'rare_coverage',
    'unknown_mass',
    'scarce_mass',
    'title_coverage',
    'top_score',
    'margin',
    'unknown_names',
    'realtime',
    'here',
    'local_office',
    'own_file',
    'opinion',
    'length',
  ],
  mean: [
    0.520356, 0.495455, 0.074335, 0.109089, 0.305239, 1.330466, 0.23431, 0.05102, 0.076531, 0.010204,
    0.015306, 0.020408, 0.020408, 2.123836,
  ],
  scale: [
    0.225574, 0.315441, 0.14438, 0.164997, 0.204016, 0.622556, 0.115175, 0.262346, 0.265845, 0.100499,
    0.122767, 0.141392, 0.141392, 0.42811,
  ],
  weights: [
    -0.246968, 0.559269, -0.152473, -0.619673, -0.883127, -1.922117, -0.338964, 0.642361, 0.636557, 0.438079,
    0.543299, 0.804776, 0.613529, -1.777443,
  ],
  bias: -1.610086,
  threshold: 0.610284,
};
