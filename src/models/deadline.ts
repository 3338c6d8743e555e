/**
 * One signal for an upstream call: aborted when the caller aborts, when `ms` pass without `reset()`,
 * or on `cancel()` (the consumer stopped reading). `timedOut` tells a timeout from the caller's abort.
 * `clear()` ends it: the timer stops and the caller's abort is no longer followed.
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
  // The caller's abort is forwarded by hand (AbortSignal.any costs more, on every model call).
  const forward = () => own.abort(caller.reason);
  if (caller.aborted) forward();
  else caller.addEventListener('abort', forward, { once: true });
  const fire = () => {
    timedOut = true;
    own.abort(new DOMException('Délai dépassé', 'TimeoutError'));
  };
  let cleared = false;
  // Restarted on every streamed event: the same timer is refreshed rather than replaced.
  const arm = () => {
    if (own.signal.aborted || cleared) return void clearTimeout(timer);
    if (timer) timer.refresh();
    else timer = setTimeout(fire, ms);
  };
  arm();
  return {
    signal: own.signal,
    get timedOut() {
      return timedOut && !caller.aborted;
    },
    reset: arm,
    cancel: () => {
      clearTimeout(timer);
      own.abort(new DOMException('Lecture interrompue', 'AbortError'));
    },
    clear: () => {
      cleared = true;
      clearTimeout(timer);
      caller.removeEventListener('abort', forward);
    },
  };
}
