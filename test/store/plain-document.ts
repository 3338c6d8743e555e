import type { DocumentInput } from '../../src/store/spec.js';

/** A minimal document whose chunks are the given texts, indexed as written (already "analyzed"). */
export function plainDocument(collectionId: string, externalId: string, texts: string[]): DocumentInput {
  return {
    collectionId,
    externalId,
    title: externalId,
    description: '',
    url: null,
    kind: 'fiche',
    audience: null,
    breadcrumb: [],
    date: null,
    markdown: texts.join('\n\n'),
    hash: `${externalId}:${texts.join('|')}`,
    metadata: {},
    chunks: texts.map((text, ordinal) => ({
      ordinal,
      path: [],
      text,
      tokens: text.split(' ').length,
      lexical: { title: externalId, headings: '', body: text },
    })),
  };
}
