/**
 * PostgreSQL scopes advisory locks to the database, not to the schema: two Guichet installs kept in
 * two schemas of one managed database (one per commune, say) would otherwise wait on each other's
 * migrations, audit appends and first ingest. Every lock key is therefore a 64-bit hash of the
 * database, the schema and the lock's name. Use as `pg_advisory_lock(${LOCK_KEY})`, name as `$1`.
 */
export const LOCK_KEY = `hashtextextended(current_database() || '/' || coalesce(current_schema(), '') || '/' || $1::text, 0)`;
