import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Adds or replaces one `## title` section of BENCHMARKS.md, leaving the others as they are. */
export function writeBenchSection(path: string, title: string, body: string): void {
  const heading = `## ${title}`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Mesures de performance\n';
  const section = `${heading}\n\n${body.trim()}\n`;
  const start = text.indexOf(`${heading}\n`);
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + heading.length);
  const end = next < 0 ? text.length : next + 1;
  writeFileSync(
    path,
    `${text.slice(0, start)}${section}${next < 0 ? '' : '\n'}${text.slice(end)}`.replace(/\n{3,}/g, '\n\n'),
  );
}
