/** Named locks within one process: each holder runs after the previous one settled. */
export class LocalLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(name: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    const previous = this.tails.get(name);
    if (previous) onWait?.();
    const run = (previous ?? Promise.resolve()).then(fn);
    const settled = run.catch(() => undefined);
    this.tails.set(name, settled);
    try {
      return await run;
    } finally {
      if (this.tails.get(name) === settled) this.tails.delete(name);
    }
  }
}
