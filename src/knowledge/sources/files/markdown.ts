/** Markdown files (and the Markdown that HTML and DOCX become): sections by heading levels. */
import { takeTitle, titleFromFileName } from './blocks.js';
import { decodeText } from './decode.js';
import { parseMarkdownBlocks } from './markdown-blocks.js';
import { buildSections } from './sections.js';
import type { ParsedFile, Parser } from './spec.js';

export const markdownParser: Parser = {
  format: 'markdown',
  async parse({ bytes, fileName }) {
    const { text, encoding } = decodeText(bytes, fileName);
    return markdownToParsed(text, fileName, { encoding });
  },
};

/** Sections of a Markdown text; the lone top heading (or `title`, when given) is the title. */
export function markdownToParsed(
  markdown: string,
  fileName: string,
  metadata: Record<string, unknown>,
  title?: string,
): ParsedFile {
  let blocks = parseMarkdownBlocks(markdown);
  if (title) {
    // The title given (an HTML page's <h1>) may also open the content, at any level.
    const first = blocks.findIndex((b) => b.kind !== 'heading' || b.text === title);
    if (first >= 0 && blocks[first].kind === 'heading') blocks = blocks.filter((_, i) => i !== first);
  } else {
    ({ title, blocks } = takeTitle(blocks, titleFromFileName(fileName)));
  }
  return {
    title,
    markdown: markdown.trim() + '\n',
    sections: buildSections(blocks),
    warnings: [],
    metadata,
  };
}
