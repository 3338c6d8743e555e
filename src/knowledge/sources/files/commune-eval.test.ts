/**
 * Runs the fictional commune's documents (eval/local/dev) through `parseFile` and checks,
 * for every question, that one section of the expected document holds all `answer_contains`
 * strings: parsing never separated a row, a record or a paragraph from its context.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_SECTION } from './sections.js';
import { parseFile } from './index.js';

const EVAL = fileURLToPath(new URL('../../../../eval/local/dev/', import.meta.url));
const COMMUNE = join(EVAL, 'saint-aubin-des-landes-vertes');
// The commune's documents are part of the repository: a missing folder fails, it never skips.
if (!existsSync(COMMUNE)) throw new Error(`Données d'évaluation absentes : ${COMMUNE}`);

/** Case, accents and white space folded, Markdown emphasis and escapes removed. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/(\*\*|__|\*|\\)/g, '')
    .replace(/[’‘]/g, "'")
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .trim();
}

interface Question {
  id: string;
  expected_doc: string;
  answer_contains: string[];
}

describe('commune documents (eval/local/dev)', () => {
  const files = readdirSync(COMMUNE).sort();
  const questions: Question[] = readFileSync(join(EVAL, 'questions.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Question);

  it('parses every file, by content, into reasonably small sections', async () => {
    for (const file of files) {
      const parsed = await parseFile({ bytes: readFileSync(join(COMMUNE, file)), fileName: file });
      const expected = { md: 'markdown', txt: 'text', csv: 'csv', json: 'json', html: 'html' }[
        file.split('.').pop()!
      ];
      expect(parsed.format, file).toBe(expected);
      expect(parsed.sections.length, file).toBeGreaterThan(0);
      for (const s of parsed.sections)
        expect(s.markdown.length, `${file} › ${s.path.join(' › ')}`).toBeLessThanOrEqual(MAX_SECTION);
    }
  });

  it('keeps every answer within one section of its document', async () => {
    const byDoc = new Map<string, string[]>();
    for (const file of files) {
      const parsed = await parseFile({ bytes: readFileSync(join(COMMUNE, file)), fileName: file });
      byDoc.set(
        file,
        parsed.sections.map((s) => fold(s.markdown)),
      );
    }
    const missed = questions.filter((q) => {
      const sections = byDoc.get(q.expected_doc) ?? [];
      return !sections.some((s) => q.answer_contains.every((a) => s.includes(fold(a))));
    });
    expect(questions.length).toBeGreaterThanOrEqual(20);
    expect(missed.map((q) => q.id)).toEqual([]);
  });

  it('keeps navigation, footer and cookie script out of the HTML page', async () => {
    const parsed = await parseFile({
      bytes: readFileSync(join(COMMUNE, 'france-services.html')),
      fileName: 'france-services.html',
    });
    const all = fold(parsed.markdown);
    for (const noise of [
      'Marchés publics',
      'tarteaucitron',
      'Mentions légales',
      'Aller au contenu',
      'En un clic',
    ]) {
      expect(all, noise).not.toContain(fold(noise));
    }
    expect(parsed.title).toBe('France Services des Landes-Vertes');
    expect(all).toContain('| jour | matin | apres-midi |');
  });
});
