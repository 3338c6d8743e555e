/**
 * Splits a document's sections into chunks of about `targetTokens` tokens. Each chunk keeps its
 * section path (chapter › case › situation); paragraphs are kept whole when they fit; an atomic
 * section (a CSV row, a JSON record) is never split; consecutive small sections of the same
 * path are merged.
 */
import type { ChunkDraft, Section } from '../model.js';

/** Rough token estimate for French text (≈ 4.2 characters per token for common tokenizers). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4.2);
}

export interface ChunkOptions {
  targetTokens: number;
}

function splitLong(paragraph: string, maxTokens: number): string[] {
  if (estimateTokens(paragraph) <= maxTokens) return [paragraph];
  const sentences = paragraph.match(/[^.!?\n]+(?:[.!?]+|\n|$)/g) ?? [paragraph];
  const out: string[] = [];
  let current = '';
  for (const s of sentences) {
    if (current && estimateTokens(current + s) > maxTokens) {
      out.push(current.trim());
      current = '';
    }
    if (estimateTokens(s) > maxTokens) {
      // A single huge "sentence" (e.g. a table without punctuation): cut by characters.
      const size = Math.floor(maxTokens * 4.2);
      for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size).trim());
      continue;
    }
    current += s;
  }
  if (current.trim()) out.push(current.trim());
  return out.filter(Boolean);
}

function sectionPieces(section: Section, target: number): string[] {
  const text = section.markdown.trim();
  if (!text) return [];
  if (section.atomic || estimateTokens(text) <= target) return [text];
  const paragraphs = text.split(/\n{2,}/).flatMap((p) => splitLong(p.trim(), target));
  const pieces: string[] = [];
  let current = '';
  for (const p of paragraphs) {
    if (current && estimateTokens(current) + estimateTokens(p) > target) {
      pieces.push(current);
      current = '';
    }
    current = current ? `${current}\n\n${p}` : p;
  }
  if (current) pieces.push(current);
  return pieces;
}

const samePath = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function chunkSections(sections: Section[], options: ChunkOptions): ChunkDraft[] {
  const target = options.targetTokens;
  const drafts: { path: string[]; text: string; atomic: boolean }[] = [];
  for (const section of sections) {
    for (const piece of sectionPieces(section, target)) {
      const last = drafts[drafts.length - 1];
      const fits = last && estimateTokens(last.text) + estimateTokens(piece) <= target;
      if (last && fits && !last.atomic && !section.atomic && samePath(last.path, section.path)) {
        last.text = `${last.text}\n\n${piece}`;
      } else {
        drafts.push({ path: section.path, text: piece, atomic: !!section.atomic });
      }
    }
  }
  return drafts.map((d, ordinal) => ({
    ordinal,
    path: d.path,
    text: d.text,
    tokens: estimateTokens(d.text),
  }));
}
