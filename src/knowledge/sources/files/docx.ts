/**
 * DOCX via mammoth (styles → HTML headings, lists, tables) then Markdown. The archive is checked
 * against zip bombs first; the title comes from the document properties or the lone top heading.
 */
import { AppError } from '../../../shared/errors.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import { markdownToParsed } from './markdown.js';
import type { Parser } from './spec.js';
import { inflateArchiveSafely } from './zip-guard.js';

export const docxParser: Parser = {
  format: 'docx',
  async parse({ bytes, fileName }) {
    const entries = inflateArchiveSafely(bytes, fileName);
    if (!entries.has('word/document.xml')) {
      throw new AppError(
        'unprocessable',
        `Le fichier « ${fileName} » n'est pas un document Word valide (word/document.xml absent).`,
      );
    }
    let result: { value: string; messages: Array<{ type: string; message: string }> };
    try {
      const { default: mammoth } = await import('mammoth');
      // Images are never read: mammoth would inline each one as base64 into the HTML (a 42 MB
      // document of photos became a gigabyte of strings); only their description is text.
      result = await mammoth.convertToHtml(
        { buffer: bytes },
        { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
      );
    } catch (cause) {
      throw new AppError(
        'unprocessable',
        `Le document Word « ${fileName} » est endommagé : il ne peut pas être lu.`,
        { cause },
      );
    }
    const title = coreTitle(entries.get('docProps/core.xml'));
    const parsed = markdownToParsed(
      htmlToMarkdown(result.value),
      fileName,
      { properties: { title: title ?? null } },
      title,
    );
    const ignored = result.messages.filter((m) => m.type === 'warning').length;
    if (ignored) parsed.warnings.push(`${ignored} élément(s) de mise en forme non reconnus ont été ignorés.`);
    if (!parsed.sections.length) parsed.warnings.push('Le document Word ne contient aucun texte.');
    return parsed;
  },
};

function coreTitle(xml: Buffer | undefined): string | undefined {
  const match = xml ? /<dc:title>([^<]*)<\/dc:title>/.exec(xml.toString('utf8')) : null;
  const title = match?.[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
  return title || undefined;
}
