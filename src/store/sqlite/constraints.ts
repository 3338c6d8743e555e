/** True when better-sqlite3 reports a UNIQUE / PRIMARY KEY violation. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
