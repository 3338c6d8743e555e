/**
 * What the product imports at run time must be installed by a production install
 * (`npm ci --omit=dev`, as the Docker image does): every package imported by the sources that run
 * in `guichet` (bin/, src/ but tests and test doubles, web/) is in `dependencies`, not only in
 * `devDependencies`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The package of a bare import specifier ('@scope/name/sub' → '@scope/name'), or null. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? null : name;
}

describe('runtime dependencies', () => {
  it('every package the product imports is installed without the development dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const runtime = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'bin'))].filter(
      (f) =>
        /\.(ts|js|mjs)$/.test(f) &&
        !/\.test\.ts$/.test(f) &&
        !f.includes(`${join('src', 'models', 'testing')}`),
    );
    expect(runtime.length).toBeGreaterThan(100);
    const missing: string[] = [];
    const IMPORT =
      /(?:^|\s)(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
    for (const file of runtime) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        if (/^\s*(?:import|export)\s+type\s/.test(m[0])) continue; // erased at run time
        const name = packageOf(m[1] ?? m[2] ?? m[3]);
        if (name && !(name in pkg.dependencies)) missing.push(`${relative(ROOT, file)} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the Docker image installs the production dependencies only', () => {
    const dockerfile = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/npm ci [^\n]*--omit=dev/);
  });
});
