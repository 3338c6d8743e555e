/**
 * EML (an e-mail as saved by a mail client) via postal-mime: the subject is the title, the
 * headers (from, to, cc, date, message id) the metadata and a short header block, the body
 * (plain text, else HTML turned into Markdown) the text. Attachments are listed with their type
 * and size; those of a supported format and of a bounded size are read and added under their own
 * heading ("Pièce jointe : …"), the others only listed. Nested e-mails are never read recursively.
 */
import { AppError } from '../../../shared/errors.js';
import { renderBlocks, titleFromFileName, type Block } from './blocks.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import { parseMarkdownBlocks } from './markdown-blocks.js';
import { buildSections } from './sections.js';
import type { Parser, ParsedFile } from './spec.js';
import { textLinesToBlocks } from './text-blocks.js';

export const EML_LIMITS = {
  /** Attachments larger than this are listed, never read. */
  maxAttachmentBytes: 10 * 1024 * 1024,
  /** Attachments read per e-mail (the others are listed). */
  maxAttachmentsRead: 20,
  /** Attachments listed per e-mail. */
  maxAttachmentsListed: 200,
};

type Address = { name: string; address?: string; group?: Array<{ name: string; address: string }> };

/** Reads an attachment with the parser its content calls for (set by index.ts to avoid a cycle). */
export type AttachmentReader = (bytes: Buffer, fileName: string) => Promise<ParsedFile & { format: string }>;
let readAttachment: AttachmentReader | undefined;
export function setAttachmentReader(reader: AttachmentReader): void {
  readAttachment = reader;
}

export const emlParser: Parser = {
  format: 'eml',
  async parse({ bytes, fileName }) {
    const { default: PostalMime } = await import('postal-mime');
    let email: Awaited<ReturnType<typeof PostalMime.parse>>;
    try {
      email = await PostalMime.parse(bytes, { attachmentEncoding: 'arraybuffer', maxNestingDepth: 50 });
    } catch (cause) {
      throw new AppError(
        'unprocessable',
        `Le courriel « ${fileName} » est mal formé : il ne peut pas être lu.`,
        {
          cause,
        },
      );
    }
    const title = email.subject?.replace(/\s+/g, ' ').trim() || titleFromFileName(fileName);
    const from = addresses(email.from ? [email.from as Address] : []);
    const to = addresses((email.to ?? []) as Address[]);
    const cc = addresses((email.cc ?? []) as Address[]);
    const date = email.date ?? null;
    const header = [
      from && `De : ${from}`,
      to && `À : ${to}`,
      cc && `Copie : ${cc}`,
      date && `Date : ${frenchDate(date)}`,
    ].filter(Boolean) as string[];
    const blocks: Block[] = [];
    if (header.length) blocks.push({ kind: 'text', text: header.join('\n') });
    if (email.text?.trim()) {
      blocks.push(
        ...textLinesToBlocks(
          email.text
            .replace(/\r\n?/g, '\n')
            .split('\n')
            .map((text) => ({ text })),
        ),
      );
    } else if (email.html?.trim()) {
      blocks.push(...parseMarkdownBlocks(htmlToMarkdown(email.html)));
    }
    const warnings: string[] = [];
    const listed: Array<{ fileName: string; mimeType: string; bytes: number; read: boolean }> = [];
    const readBlocks: Block[] = [];
    let read = 0;
    const files = email.attachments.filter((a) => !a.related);
    for (const [i, a] of files.entries()) {
      if (i >= EML_LIMITS.maxAttachmentsListed) {
        warnings.push(`${files.length - i} autre(s) pièce(s) jointe(s) non listée(s).`);
        break;
      }
      const name = (a.filename ?? '').split(/[\\/]/).pop()?.trim() || `pièce jointe ${i + 1}`;
      const content = Buffer.from(a.content as ArrayBuffer);
      const entry = { fileName: name, mimeType: a.mimeType, bytes: content.length, read: false };
      listed.push(entry);
      if (content.length > EML_LIMITS.maxAttachmentBytes) {
        warnings.push(
          `Pièce jointe « ${name} » (${mb(content.length)}) trop volumineuse : listée mais non lue.`,
        );
        continue;
      }
      if (!readAttachment || read >= EML_LIMITS.maxAttachmentsRead || content.length === 0) continue;
      try {
        const parsed = await readAttachment(content, name);
        if (parsed.format === 'eml') continue;
        read++;
        entry.read = true;
        readBlocks.push({ kind: 'heading', level: 1, text: `Pièce jointe : ${name}` });
        readBlocks.push(...parseMarkdownBlocks(parsed.markdown).map(demote));
      } catch (cause) {
        const why = cause instanceof AppError ? cause.message : 'illisible';
        warnings.push(`Pièce jointe « ${name} » non lue : ${why}`);
      }
    }
    if (listed.length) {
      blocks.push({ kind: 'heading', level: 1, text: 'Pièces jointes' });
      for (const a of listed)
        blocks.push({ kind: 'text', text: `- ${a.fileName} (${a.mimeType}, ${mb(a.bytes)})`, tight: true });
    }
    blocks.push(...readBlocks);
    if (!blocks.some((b) => b.kind !== 'heading')) warnings.push('Le courriel ne contient aucun texte.');
    return {
      title,
      markdown: renderBlocks(title, blocks),
      sections: buildSections(blocks),
      warnings,
      metadata: {
        email: {
          subject: email.subject ?? null,
          from: from || null,
          to: to || null,
          cc: cc || null,
          date,
          messageId: email.messageId ?? null,
          attachments: listed,
        },
      },
    };
  },
};

/** Headings inside an attachment sit under its "Pièce jointe" heading. */
function demote(block: Block): Block {
  return block.kind === 'heading' ? { ...block, level: Math.min(6, block.level + 1) } : block;
}

function addresses(list: Address[]): string {
  return list
    .flatMap((a): Array<{ name: string; address?: string }> => (a.group ? a.group : [a]))
    .map((a) => (a.name && a.address ? `${a.name} <${a.address}>` : a.address || a.name))
    .filter(Boolean)
    .join(', ');
}

function frenchDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'short' });
}

function mb(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} Ko`;
  return `${(bytes / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

/** Headers a mail client writes at the top of a saved message, before the first blank line. */
export function looksLikeEmail(text: string): boolean {
  const head = text.slice(0, 64 * 1024).replace(/^\uFEFF/, '');
  const end = head.search(/\r?\n\r?\n/);
  if (end <= 0) return false;
  const lines = head.slice(0, end).split(/\r?\n/);
  if (!/^[!-9;-~]+:/.test(lines[0])) return false;
  const names = new Set<string>();
  for (const line of lines) {
    if (/^[ \t]/.test(line)) continue; // folded header
    const m = /^([!-9;-~]+):/.exec(line);
    if (!m) return false;
    names.add(m[1].toLowerCase());
  }
  const known = ['date', 'subject', 'to', 'message-id', 'mime-version', 'received', 'return-path', 'cc'];
  return names.has('from') && known.filter((k) => names.has(k)).length >= 2;
}
