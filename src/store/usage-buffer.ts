import type { UsageRecord } from '../accounts/model.js';

/** Buffered rows are written at most this long after their request (and before any read). */
export const USAGE_FLUSH_MS = 250;
/** A write is started at once when this many rows wait. */
export const MAX_BUFFERED = 1000;
/** Rows kept for a later attempt when writes keep failing (the oldest are dropped beyond). */
const MAX_KEPT = MAX_BUFFERED * 10;

/**
 * The usage rows of one store adapter waiting to be written together: one commit for many requests
 * instead of one each. The adapter gives the write (synchronous on SQLite, a promise on PostgreSQL)
 * and what to run when rows are due (its own flush, so that its writes stay in order); rows whose
 * write failed are kept for the next attempt, within a bound. Quotas never read these rows.
 */
export class UsageBuffer {
  private rows: UsageRecord[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (rows: UsageRecord[]) => void | Promise<void>,
    /** Runs the adapter's flush when rows are due; failures are its to report (see `quietly`). */
    private readonly due: () => void | Promise<void>,
  ) {}

  /** Adds a row; resolves after the write it triggers when the buffer is full. */
  add(u: UsageRecord): void | Promise<void> {
    this.rows.push(u);
    if (this.rows.length >= MAX_BUFFERED) return this.due();
    this.timer ??= setTimeout(() => void this.due(), USAGE_FLUSH_MS).unref();
  }

  /** Writes every buffered row now; on failure, they are kept and the error is thrown. */
  writeNow(): void | Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    const keep = (e: unknown): never => {
      this.rows = rows.concat(this.rows).slice(-MAX_KEPT);
      throw e;
    };
    try {
      const pending = this.write(rows);
      if (pending) return pending.catch(keep);
    } catch (e) {
      keep(e);
    }
  }

  /**
   * Clears the user and key ids of the buffered rows that name this user or these keys (an
   * erasure); returns how many rows changed.
   */
  anonymise(userId: string, keyIds: string[]): number {
    let n = 0;
    this.rows = this.rows.map((u) => {
      if (u.userId === userId) {
        n++;
        return { ...u, userId: null, keyId: null };
      }
      if (u.keyId !== null && keyIds.includes(u.keyId)) {
        n++;
        return { ...u, keyId: null };
      }
      return u;
    });
    return n;
  }
}

/** Runs a flush started by the timer or by a full buffer: a failure is a warning, rows kept. */
export function quietly(flush: () => void | Promise<void>): void | Promise<void> {
  const warn = (e: unknown) =>
    process.emitWarning(
      `Lignes d'usage non écrites, nouvel essai au prochain envoi : ${(e as Error).message}`,
    );
  try {
    const pending = flush();
    if (pending) return pending.catch(warn);
  } catch (e) {
    warn(e);
  }
}
