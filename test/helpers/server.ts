import type { ChildProcess } from 'node:child_process';
import { startCli } from './cli.js';

export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote so far on stdout (the console) and stderr (the JSON logs). */
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts the real `guichet serve` on a free loopback port and waits until it listens. */
export async function startServer(env: Record<string, string>, timeoutMs = 240_000): Promise<RunningServer> {
  const child = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], env);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /écoute sur (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}): ${err}`));
    });
  });
  return {
    url,
    child,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
