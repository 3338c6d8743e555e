import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

export const BENCHMARKS = new URL('../BENCHMARKS.md', import.meta.url);

export function machine(): string {
  const cpu = cpus()[0]?.model ?? '?';
  return `${cpus().length} cœurs (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} Gio, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/**
 * Replaces (or appends) one `## title` section of BENCHMARKS.md, leaving the others as they are,
 * so that each benchmark (and the browser suite) owns its own section.
 */
export function writeSection(title: string, body: string): void {
  const path = BENCHMARKS;
  let text = existsSync(path)
    ? readFileSync(path, 'utf8')
    : '# Mesures de performance\n\nProduites par `npm run bench` (et, pour l’interface, par la suite navigateur). Médianes et percentiles mesurés sur la machine indiquée ; les rapports sont mesurés dans la même exécution.\n';
  const heading = `## ${title}`;
  const section = `${heading}\n\n${body.trim()}\n`;
  const start = text.indexOf(`${heading}\n`);
  if (start === -1) text = `${text.trimEnd()}\n\n${section}`;
  else {
    const next = text.indexOf('\n## ', start + heading.length);
    text = text.slice(0, start) + section + (next === -1 ? '' : text.slice(next));
  }
  writeFileSync(path, text);
}

/** Resolves with the first match of `pattern` in what the child prints (rejects if it exits first). */
export function waitFor(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    });
    child.once('exit', (c) => reject(new Error(`process exited (${c})`)));
  });
}
