import { AppError, type ErrorCode } from '../shared/errors.js';

/**
 * An `AppError` raised while talking to a model. `isRetryable` says whether another attempt (or the
 * next target of a fallback chain) may succeed: timeouts, connection errors, 408, 409, 429, 5xx.
 */
export class UpstreamError extends AppError {
  readonly isRetryable: boolean;
  readonly upstreamStatus: number | null;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      retryable: boolean;
      upstreamStatus?: number | null;
      cause?: unknown;
      headers?: Record<string, string>;
    },
  ) {
    super(code, message, { cause: options.cause, headers: options.headers });
    this.name = 'UpstreamError';
    this.isRetryable = options.retryable;
    this.upstreamStatus = options.upstreamStatus ?? null;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function isRetryable(e: unknown): boolean {
  return e instanceof UpstreamError && e.isRetryable;
}

/** Throws the caller's abort reason when the caller gave up. */
export function throwIfCallerAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason ?? new DOMException('Requête annulée', 'AbortError');
}
