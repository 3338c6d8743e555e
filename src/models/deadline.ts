/**
 * One signal for an upstream call: aborted when the caller aborts, when `ms` pass without `reset()`,
 * or on `cancel()` (the consumer stopped reading). `timedOut` tells a timeout from the caller's abort.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  readonly timedOut: boolean;
  /** Restart the timer (for streams: the timeout becomes an inactivity timeout). */
  reset(): void;
  cancel(): void;
  clear(): void;
}

export function createDeadline(caller: AbortSignal, ms: number): Deadline {
  const own = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    if (own.signal.aborted) return;
    timer = setTimeout(() => {
      timedOut = true;
      own.abort(new DOMException('Délai dépassé', 'TimeoutError'));
    }, ms);
  };
  arm();
  return {
    signal: AbortSignal.any([caller, own.signal]),
    get timedOut() {
      return timedOut && !caller.aborted;
    },
    reset: arm,
    cancel: () => {
      clearTimeout(timer);
      own.abort(new DOMException('Lecture interrompue', 'AbortError'));
    },
    clear: () => clearTimeout(timer),
  };
}
