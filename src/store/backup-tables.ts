/** Tables whose rows a backup's manifest counts and a restore compares (both engines). */
export const COUNTED_TABLES = [
  'organisations',
  'services',
  'users',
  'api_keys',
  'quotas',
  'usage',
  'sessions',
  'audit_log',
  'conversations',
  'messages',
  'feedback',
  'ai_tools',
  'collections',
  'documents',
  'chunks',
  'training_completions',
] as const;
