/**
 * Adds one of an organisation's files to one of its collections (shared by `POST /v1/documents`
 * and `guichet documents add`): parse by content → chunks → (embeddings) → one atomic `put`.
 * Same content already there: nothing written, the existing document is returned (`duplicate`).
 * Same file name with other content: the new version replaces the old one in the same transaction.
 * Any failure happens before the write, so a failed upload leaves nothing stored.
 */
import { createHash } from 'node:crypto';
import { contentHash, indexVersion, toDocumentInput } from '../knowledge/index-document.js';
import type { SourceDocument } from '../knowledge/model.js';
import { parseFile } from '../knowledge/sources/files/index.js';
import { AppError } from '../shared/errors.js';
import type { Store, StoredDocument } from '../store/spec.js';
import type { ModelRouter } from '../models/router.js';
import { getWritableCollection } from './manage-collections.js';

/** Embeds texts with the configured embedding model (absent = lexical search only). */
export type TextEmbedder = (texts: string[], signal?: AbortSignal) => Promise<Float32Array[]>;

/** The embedder of the configured embedding model (`search.embedding_model`), if any. */
export function documentEmbedder(router: ModelRouter, model: string | undefined): TextEmbedder | undefined {
  if (!model) return undefined;
  return async (texts, signal) =>
    (await router.embed(model, texts, signal ?? new AbortController().signal)).vectors;
}

export type IngestStatus = 'added' | 'replaced' | 'duplicate';

export interface IngestDocumentOptions {
  store: Store;
  orgId: string;
  collectionId: string;
  fileName: string;
  /** The document's identity in its collection (default: the file name; a synced folder gives the relative path). */
  externalId?: string;
  bytes: Buffer;
  /** Free metadata given by the uploader (kept with the document, under `metadata`). */
  metadata?: Record<string, unknown>;
  maxBytes: number;
  chunkTokens: number;
  embed?: TextEmbedder;
  signal?: AbortSignal;
}

export interface IngestDocumentResult {
  status: IngestStatus;
  document: StoredDocument;
  /** Problems met while parsing (a page without text…), in French. */
  warnings: string[];
}

const EMBED_BATCH = 32;
const METADATA_MAX_CHARS = 16_000;

/** The file's own name, without any folder (a client may send `C:\…\x.pdf` or `../x.pdf`). */
export function cleanFileName(raw: string): string {
  const name = raw.split(/[\\/]/).pop()!.trim();
  // eslint-disable-next-line no-control-regex
  if (!name || name === '.' || name === '..' || /[\u0000-\u001f]/.test(name)) {
    throw new AppError('invalid_request', `Nom de fichier invalide : « ${raw.slice(0, 100)} ».`, {
      param: 'file',
    });
  }
  if (name.length > 255)
    throw new AppError('invalid_request', 'Le nom du fichier dépasse 255 caractères.', { param: 'file' });
  return name;
}

function checkMetadata(
  metadata: Record<string, unknown> | undefined,
  fileName: string,
): Record<string, unknown> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new AppError('invalid_request', `Les métadonnées de « ${fileName} » doivent être un objet JSON.`, {
      param: 'metadata',
    });
  }
  if (JSON.stringify(metadata).length > METADATA_MAX_CHARS) {
    throw new AppError(
      'invalid_request',
      `Les métadonnées de « ${fileName} » dépassent ${METADATA_MAX_CHARS} caractères.`,
      {
        param: 'metadata',
      },
    );
  }
  return metadata;
}

export async function ingestDocument(o: IngestDocumentOptions): Promise<IngestDocumentResult> {
  const collection = await getWritableCollection({ store: o.store, orgId: o.orgId, id: o.collectionId });
  const fileName = cleanFileName(o.fileName);
  const userMetadata = checkMetadata(o.metadata, fileName);
  const hash = contentHash(o.bytes, indexVersion(o.chunkTokens));
  const same = await o.store.documents.findByHash(collection.id, hash);
  if (same) return { status: 'duplicate', document: same, warnings: [] };

  const parsed = await parseFile({ bytes: o.bytes, fileName, maxBytes: o.maxBytes });
  const source: SourceDocument = {
    externalId: o.externalId ?? fileName,
    title: parsed.title || fileName,
    description: typeof userMetadata.description === 'string' ? userMetadata.description.slice(0, 500) : '',
    url: null,
    kind: 'document-local',
    audience: null,
    breadcrumb: [collection.name],
    date:
      typeof userMetadata.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(userMetadata.date)
        ? userMetadata.date
        : null,
    markdown: parsed.markdown,
    sections: parsed.sections,
    metadata: {
      ...parsed.metadata,
      sha256: createHash('sha256').update(o.bytes).digest('hex'),
      warnings: parsed.warnings,
      user: userMetadata,
    },
  };
  const input = toDocumentInput(source, { collectionId: collection.id, hash, chunkTokens: o.chunkTokens });
  if (input.chunks.length === 0) {
    throw new AppError('unprocessable', `Le fichier « ${fileName} » ne contient aucun texte exploitable.`, {
      param: 'file',
    });
  }
  // Embeddings are computed before anything is written: an unreachable model stores nothing.
  const vectors = o.embed
    ? await embedAll(
        o.embed,
        input.chunks.map((c) => embeddingText(source.title, c.path, c.text)),
        o.signal,
      )
    : null;
  o.signal?.throwIfAborted();

  const previous = await o.store.documents.getByExternalId(collection.id, o.externalId ?? fileName);
  const document = await o.store.documents.put(input);
  if (vectors) {
    const chunks = await o.store.documents.chunks(document.id);
    const byOrdinal = new Map(input.chunks.map((c, i) => [c.ordinal, vectors[i]]));
    await o.store.search.putVectors(
      chunks.flatMap((c) => {
        const vector = byOrdinal.get(c.ordinal);
        return vector ? [{ chunkId: c.id, vector }] : [];
      }),
    );
  }
  return { status: previous ? 'replaced' : 'added', document, warnings: parsed.warnings };
}

/** What is embedded for a chunk: the document title and section path give the passage its context. */
export function embeddingText(title: string, path: string[], text: string): string {
  return [[title, ...path].join(' › '), text].join('\n');
}

async function embedAll(embed: TextEmbedder, texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH) {
    const batch = texts.slice(i, i + EMBED_BATCH);
    const vectors = await embed(batch, signal);
    if (vectors.length !== batch.length) {
      throw new AppError('upstream_error', "Le modèle d'embeddings n'a pas renvoyé un vecteur par passage.");
    }
    out.push(...vectors);
  }
  return out;
}
