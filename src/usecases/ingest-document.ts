/**
 * Adds one of an organisation's files to one of its collections (shared by `POST /v1/documents`
 * and `guichet documents add`): parse by content → chunks → (embeddings) → one atomic `put`.
 * Same content already there: nothing written, the existing document is returned (`duplicate`).
 * Same file name with other content: the new version replaces the old one in the same transaction.
 * Any failure happens before the write, so a failed upload leaves nothing stored.
 */
import { trackIngestion } from './ingestions-in-flight.js';
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { indexVersion } from '../knowledge/index-document.js';
import type { DocumentsConfig } from '../config/schema.js';
import { parsePoolFor, type ParsePool } from '../knowledge/parse-pool/pool.js';
import { AppError } from '../shared/errors.js';
import type { Store, StoredDocument } from '../store/spec.js';
import type { Services } from '../services.js';
import { getWritableCollection } from './manage-collections.js';

/** Embeds texts with the configured embedding model (absent = lexical search only). */
export type TextEmbedder = (texts: string[], signal?: AbortSignal) => Promise<Float32Array[]>;

/**
 * The embedder of the configured embedding model for an organisation's documents, under its
 * privacy policy: pseudonymised before a non-local target, absent when no target is allowed
 * (the documents are then found by lexical search only).
 */
export async function documentEmbedder(
  services: Pick<Services, 'retriever' | 'privacy'>,
  orgId: string,
): Promise<TextEmbedder | undefined> {
  const embedder = services.retriever.embedder;
  return embedder ? (embedder.forPolicy(await services.privacy.forOrg(orgId)) ?? undefined) : undefined;
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
  /** Cancels the work (client gone, upload deleted): nothing is stored. */
  signal?: AbortSignal;
  /**
   * Where the file is parsed and chunked: a pool of worker threads (`parsePool(config.documents)`).
   * Absent: a pool with the default limits.
   */
  pool?: ParsePool;
  /**
   * The file's path inside a folder upload (`comptes/2024/tarifs.md`): the document is known by it,
   * so that same-named files of different folders are different documents.
   */
  relativePath?: string;
}

/**
 * The OCR settings a parsing worker applies: the OCR time limit is kept inside the file's parse
 * time limit (with a margin), so that a long scan returns the pages read so far, with a warning,
 * instead of being killed by the pool's timeout with nothing kept.
 */
export function ocrWithin(config: DocumentsConfig): DocumentsConfig['ocr'] {
  const parse = config.parse_timeout_seconds;
  const inside = Math.max(1, Math.floor(parse - Math.max(2, parse * 0.1)));
  return { ...config.ocr, max_seconds: Math.min(config.ocr.max_seconds, inside) };
}

/** The parsing pool configured by `documents.parse_*`. */
export function parsePool(config: DocumentsConfig): ParsePool {
  return parsePoolFor({
    ...(config.parse_workers ? { workers: config.parse_workers } : {}),
    timeoutMs: Math.round(config.parse_timeout_seconds * 1000),
    memoryMb: config.parse_memory_mb,
    perOrgQueued: config.parse_queue_per_org,
    ocr: ocrWithin(config),
  });
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
  const externalId =
    o.externalId ?? (o.relativePath ? cleanRelativePath(o.relativePath, fileName) : fileName);
  const userMetadata = checkMetadata(o.metadata, fileName);
  if (o.bytes.length === 0) throw new AppError('invalid_request', `Le fichier « ${fileName} » est vide.`);
  const hash = await hashInSlices(
    o.bytes,
    indexVersion(o.chunkTokens),
    externalId === fileName ? '' : externalId,
  );
  const same = await o.store.documents.findByHash(collection.id, hash);
  if (same) return { status: 'duplicate', document: same, warnings: [] };

  // Parsing, chunking and analysis run in a worker thread, within its time and memory limits.
  // Deleting the document or its collection meanwhile stops the work (nothing is stored).
  const tracked = trackIngestion(collection.id, externalId);
  const signal = o.signal ? AbortSignal.any([o.signal, tracked.signal]) : tracked.signal;
  try {
    return await storeIngestion(o, { collection, fileName, externalId, userMetadata, hash }, signal);
  } finally {
    tracked.done();
  }
}

async function storeIngestion(
  o: IngestDocumentOptions,
  d: {
    collection: { id: string; name: string };
    fileName: string;
    externalId: string;
    userMetadata: Record<string, unknown>;
    hash: string;
  },
  signal: AbortSignal,
): Promise<IngestDocumentResult> {
  const { collection, fileName, externalId, userMetadata, hash } = d;
  const { input, warnings } = await (o.pool ?? parsePoolFor({})).run(
    o.orgId,
    {
      bytes: o.bytes,
      fileName,
      externalId,
      maxBytes: o.maxBytes,
      chunkTokens: o.chunkTokens,
      collectionId: collection.id,
      collectionName: collection.name,
      hash,
      userMetadata,
    },
    signal,
  );
  const source = { title: input.title };
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
        signal,
      )
    : null;
  if (signal.aborted) {
    throw new AppError(
      'invalid_request',
      `L’envoi du fichier « ${fileName} » a été interrompu : rien n’a été enregistré.`,
      {
        param: 'file',
      },
    );
  }

  const previous = await o.store.documents.getByExternalId(collection.id, externalId);
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
  return { status: previous ? 'replaced' : 'added', document, warnings };
}

/**
 * The content hash of an upload (the index version, the document's path in a folder upload, the
 * bytes), fed 1 MiB at a time between event-loop turns: a 50 MB file never holds the loop.
 */
async function hashInSlices(bytes: Buffer, version: string, path: string): Promise<string> {
  const hash = createHash('sha256').update(version).update('\0');
  if (path) hash.update(path).update('\0');
  const SLICE = 1024 * 1024;
  for (let i = 0; i < bytes.length; i += SLICE) {
    hash.update(bytes.subarray(i, i + SLICE));
    if (i + SLICE < bytes.length) await nextTurn();
  }
  return hash.digest('hex');
}

/**
 * A document's path inside a folder upload (`comptes/2024/tarifs.md`): separators made `/`,
 * no empty, `.` or `..` segment, ending with the file's own name.
 */
export function cleanRelativePath(raw: string, fileName: string): string {
  const segments = raw
    .split(/[\\/]+/)
    .map((s) => s.trim())
    .filter((s) => s && s !== '.');
  // eslint-disable-next-line no-control-regex
  if (segments.some((s) => s === '..' || /[\u0000-\u001f]/.test(s))) {
    throw new AppError('invalid_request', `Chemin de fichier invalide : « ${raw.slice(0, 200)} ».`, {
      param: 'path',
    });
  }
  if (segments.at(-1) !== fileName) segments.push(fileName);
  const path = segments.join('/');
  if (path.length > 1000)
    throw new AppError('invalid_request', 'Le chemin du fichier dépasse 1 000 caractères.', {
      param: 'path',
    });
  return path;
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
