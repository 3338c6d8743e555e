/** Plain text (UTF-8, Windows-1252, UTF-16 with BOM): headings recovered, paragraphs kept. */
import { renderBlocks, takeTitle, titleFromFileName } from './blocks.js';
import { decodeText } from './decode.js';
import { buildSections } from './sections.js';
import type { Parser } from './spec.js';
import { textLinesToBlocks } from './text-blocks.js';

export const textParser: Parser = {
  format: 'text',
  async parse({ bytes, fileName }) {
    const { text, encoding } = decodeText(bytes, fileName);
    const lines = text.split('\n').map((line) => ({ text: line.replace(/\t/g, '    ') }));
    const { title, blocks } = takeTitle(textLinesToBlocks(lines), titleFromFileName(fileName), true);
    return {
      title,
      markdown: renderBlocks(title, blocks),
      sections: buildSections(blocks),
      warnings: [],
      metadata: { encoding },
    };
  },
};
