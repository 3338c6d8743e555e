import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../src/store/spec.js';
import { ROOT } from '../helpers/cli.js';

export const LOCAL_EVAL = join(ROOT, 'eval', 'local', 'dev');
export const COMMUNE = join(LOCAL_EVAL, 'saint-aubin-des-landes-vertes');
export const LOCAL_QUESTIONS = join(LOCAL_EVAL, 'questions.jsonl');
/** The commune's files (in the repository: a missing folder is an error, not a skip). */
export const COMMUNE_FILES = readdirSync(COMMUNE).sort();

/** Everything stored about documents, chunks and search terms: to prove a failure changed nothing. */
export async function snapshot(store: Store, collectionIds: string[]): Promise<string> {
  const parts: string[] = [];
  for (const id of collectionIds) {
    for (const d of await store.documents.list(id, { limit: 10_000, offset: 0 })) {
      const chunks = await store.documents.chunks(d.id);
      parts.push(`${d.id} ${d.externalId} ${d.hash} ${d.updatedAt} ${chunks.map((c) => c.id).join(',')}`);
    }
  }
  const stats = await store.search.termStats(['mairi', 'horair']);
  parts.push(`chunks=${stats.chunks}`);
  return parts.join('\n');
}

/** A multipart body for POST /v1/documents. */
export function uploadForm(o: {
  bytes: Buffer | string;
  fileName: string;
  collection?: string;
  metadata?: string;
}): FormData {
  const form = new FormData();
  form.set(
    'file',
    new Blob([new Uint8Array(typeof o.bytes === 'string' ? Buffer.from(o.bytes) : o.bytes)]),
    o.fileName,
  );
  if (o.collection !== undefined) form.set('collection', o.collection);
  if (o.metadata !== undefined) form.set('metadata', o.metadata);
  return form;
}
