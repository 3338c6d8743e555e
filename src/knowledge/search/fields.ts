import { analyze } from '../analyze/french.js';
import type { ChunkDraft } from '../model.js';
import type { LexicalFields } from '../../store/spec.js';

/** The analyzed search fields of one chunk: what the lexical index stores. */
export function lexicalFields(
  doc: { title: string; description: string; breadcrumb: string[] },
  chunk: ChunkDraft,
): LexicalFields {
  return {
    title: analyze(doc.title).join(' '),
    headings: analyze([...chunk.path, doc.description].join(' \n ')).join(' '),
    body: analyze(chunk.text).join(' '),
  };
}
