/**
 * JSON: arrays of records (top-level, or the largest one inside an object such as
 * `{"services": […]}`) give one atomic section per record, rendered as `key : value` lines and
 * named by a name-like field; any other JSON gives readable `key : value` sections.
 */
import { AppError } from '../../../shared/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../../shared/json-depth.js';
import type { Section } from '../../model.js';
import { titleFromFileName, type Block } from './blocks.js';
import { decodeText } from './decode.js';
import { findRecords, isObject, recordName, renderLines } from './json-render.js';
import { buildSections } from './sections.js';
import type { Parser } from './spec.js';

export const jsonParser: Parser = {
  format: 'json',
  async parse({ bytes, fileName }) {
    const { text, encoding } = decodeText(bytes, fileName);
    if (jsonTooDeep(text)) {
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » imbrique plus de ${MAX_JSON_DEPTH} niveaux de tableaux ou d'objets JSON : il ne peut pas être analysé.`,
      );
    }
    let root: unknown;
    try {
      root = JSON.parse(text);
    } catch (cause) {
      throw new AppError('unprocessable', `Le fichier « ${fileName} » n'est pas un JSON valide.`, { cause });
    }
    const title = (isObject(root) && recordName(root)) || titleFromFileName(fileName);
    const found = findRecords(root);
    const sections: Section[] = [];
    if (found) {
      const rest = found.at.length && isObject(root) ? withoutKey(root, found.at[0]) : null;
      if (rest && Object.keys(rest).length) sections.push(...linesToSections(renderLines(rest), []));
      found.records.forEach((record, i) => {
        const name = recordName(record);
        sections.push({
          path: [name ?? `${title} (${i + 1})`],
          markdown: renderLines(record).join('\n'),
          atomic: true,
        });
      });
    } else {
      sections.push(...linesToSections(renderLines(root), []));
    }
    const markdown = [
      `# ${title}`,
      ...sections.map(
        (s) => (s.path.length ? `## ${s.path.join(' › ')}\n\n` : '') + s.markdown.replace(/\n/g, '  \n'),
      ),
    ];
    return {
      title,
      markdown: markdown.join('\n\n') + '\n',
      sections,
      warnings: [],
      metadata: { encoding, records: found?.records.length ?? 0, recordsAt: found?.at.join('.') ?? null },
    };
  },
};

function withoutKey(root: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(root).filter(([k]) => k !== key));
}

function linesToSections(lines: string[], path: string[]): Section[] {
  const blocks: Block[] = lines.map((text, i) => ({ kind: 'text', text, tight: i > 0 }));
  return buildSections(blocks).map((s) => ({ ...s, path }));
}
