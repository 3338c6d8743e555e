import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { Readable } from 'node:stream';
import type { Services } from '../../services.js';
import { AppError } from '../../shared/errors.js';
import { multipartBoundary, readMultipart, type MultipartPart, type MultipartSource } from '../multipart.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../shared/json-depth.js';
import { hasUnsafeChars, jsonHasUnsafeChars } from '../../shared/text-safety.js';
import type { StoredChunk, StoredDocument } from '../../store/spec.js';
import { documentEmbedder, ingestDocument, parsePool } from '../../usecases/ingest-document.js';
import { deleteDocument, getDocument, listDocuments, MAX_PAGE } from '../../usecases/manage-documents.js';
import type { AppEnv } from '../env.js';
import { errors } from './admin/shared.js';

/** Room for the multipart envelope (boundaries, part headers, collection and metadata fields). */
const MULTIPART_OVERHEAD = 256 * 1024;

/** Whether this request is a document upload (it has its own body limit, not `server.max_body_bytes`). */
export function isUpload(c: Context): boolean {
  return c.req.method === 'POST' && /^\/v1\/documents\/?$/.test(c.req.path);
}

function uploadTooLarge(services: Services): AppError {
  const max = services.config.documents.max_upload_bytes;
  return new AppError(
    'payload_too_large',
    `Le fichier envoyé dépasse la taille maximale acceptée (${(max / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo).`,
    { param: 'file' },
  );
}

/** Bytes an upload's body may hold: `documents.max_upload_bytes` plus the multipart envelope. */
function uploadBodyBytes(services: Services): number {
  return services.config.documents.max_upload_bytes + MULTIPART_OVERHEAD;
}

/**
 * The body limit of uploads, checked on the declared Content-Length before anything is read; a
 * chunked body is counted as it is read (`readUpload`). Hono's `bodyLimit` is not used here: it
 * reads `c.req.raw.body`, which puts the web-stream adapter in front of the Node request, and it
 * buffers a chunked body whole, growing its buffer by doubling (copies of tens of megabytes).
 */
export function uploadBodyLimit(services: Services): MiddlewareHandler {
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (parseInt(length, 10) > uploadBodyBytes(services)) throw uploadTooLarge(services);
    }
    await next();
  };
}

/**
 * The upload's body: the Node request itself when the server is Node's and nothing has started
 * reading it (no copy through a web stream), else the Fetch API's stream.
 */
function uploadSource(c: Context<AppEnv>): MultipartSource | null {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (
    incoming instanceof Readable &&
    !incoming.readableDidRead &&
    incoming.listenerCount('data') === 0 &&
    !c.req.raw.bodyUsed
  ) {
    return incoming as AsyncIterable<Uint8Array>;
  }
  return c.req.raw.body;
}

const DocumentSchema = z
  .object({
    id: z.string(),
    object: z.literal('document'),
    collection: z.string(),
    file_name: z.string(),
    title: z.string(),
    format: z.string().nullable(),
    bytes: z.number().nullable(),
    sha256: z.string().nullable(),
    chunk_count: z.number().int(),
    metadata: z.record(z.string(), z.unknown()),
    warnings: z.array(z.string()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Document');

const UploadResult = DocumentSchema.extend({ duplicate: z.boolean(), replaced: z.boolean() }).openapi(
  'UploadedDocument',
);
const Chunk = z.object({
  id: z.string(),
  ordinal: z.number().int(),
  path: z.array(z.string()),
  text: z.string(),
  tokens: z.number(),
});
const DocumentWithChunks = DocumentSchema.extend({ markdown: z.string(), chunks: z.array(Chunk) }).openapi(
  'DocumentWithChunks',
);
const IdParam = z.object({ id: z.string().min(1).max(200) });
const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const upload = createRoute({
  method: 'post',
  path: '/v1/documents',
  summary: 'Ajouter un document (PDF, DOCX, HTML, Markdown, texte, CSV, JSON) à une collection',
  description:
    'Envoi multipart/form-data : `file` (le fichier), `collection` (id), `metadata` (objet JSON, facultatif). ' +
    'Même contenu déjà présent : 200 avec `duplicate: true`. Même nom de fichier : la nouvelle version remplace l’ancienne.',
  request: {
    body: {
      content: {
        'multipart/form-data': {
          schema: z.object({
            file: z.any().openapi({ type: 'string', format: 'binary' }),
            collection: z.string(),
            metadata: z.string().optional(),
            path: z.string().optional().openapi({
              description:
                'Chemin du fichier dans un dossier envoyé (`2024/tarifs.md`) : il identifie le document.',
            }),
          }),
        },
      },
      required: true,
    },
  },
  responses: {
    200: json(UploadResult, 'Document déjà présent (doublon) ou remplacé'),
    201: json(UploadResult, 'Document ajouté'),
    ...errors,
    413: json(z.object({ error: z.any() }), 'Fichier trop volumineux'),
    422: json(z.object({ error: z.any() }), 'Fichier illisible (endommagé, chiffré, sans texte)'),
  },
});
const list = createRoute({
  method: 'get',
  path: '/v1/documents',
  summary: 'Lister les documents d’une collection',
  request: {
    query: z.object({
      collection: z.string().min(1).max(200),
      limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    }),
  },
  responses: {
    200: json(
      z.object({ object: z.literal('list'), data: z.array(DocumentSchema), total: z.number().int() }),
      'Documents',
    ),
    ...errors,
  },
});
const get = createRoute({
  method: 'get',
  path: '/v1/documents/{id}',
  summary: 'Lire un document avec son texte et ses passages indexés',
  request: { params: IdParam },
  responses: { 200: json(DocumentWithChunks, 'Document'), ...errors },
});
const remove = createRoute({
  method: 'delete',
  path: '/v1/documents/{id}',
  summary: 'Supprimer un document (et ses passages et vecteurs de toutes les recherches)',
  request: { params: IdParam },
  responses: {
    200: json(
      z.object({ id: z.string(), object: z.literal('document'), deleted: z.literal(true) }),
      'Document supprimé',
    ),
    ...errors,
  },
});

export function documentJson(d: StoredDocument) {
  const m = d.metadata;
  return {
    id: d.id,
    object: 'document' as const,
    collection: d.collectionId,
    file_name: d.externalId,
    title: d.title,
    format: typeof m.format === 'string' ? m.format : null,
    bytes: typeof m.bytes === 'number' ? m.bytes : null,
    sha256: typeof m.sha256 === 'string' ? m.sha256 : null,
    chunk_count: d.chunkCount,
    metadata: m.user && typeof m.user === 'object' ? (m.user as Record<string, unknown>) : {},
    warnings: Array.isArray(m.warnings) ? m.warnings.filter((w): w is string => typeof w === 'string') : [],
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

const chunkJson = (c: StoredChunk) => ({
  id: c.id,
  ordinal: c.ordinal,
  path: c.path,
  text: c.text,
  tokens: c.tokens,
});

/** Reads the multipart form; a truncated or interrupted body is a 400, never a 500. */
async function readUpload(c: Context<AppEnv>, services: Services) {
  const boundary = multipartBoundary(c.req.header('content-type') ?? '');
  if (!boundary) {
    throw new AppError(
      'unsupported_media_type',
      'Envoyez le document en multipart/form-data (champs file, collection, metadata).',
    );
  }
  const parts = await readMultipart(uploadSource(c), boundary, {
    maxBodyBytes: uploadBodyBytes(services),
    tooLarge: () => uploadTooLarge(services),
  });
  // One value per field: several `file` parts used to be read as the last one only.
  const form = new Map<string, MultipartPart>();
  for (const part of parts) {
    if (form.has(part.name)) {
      const count = parts.filter((p) => p.name === part.name).length;
      throw new AppError(
        'invalid_request',
        part.name === 'file'
          ? `Un seul fichier par envoi (${count} reçus dans le champ « file ») : envoyez chaque fichier dans sa propre requête.`
          : `Le champ « ${part.name} » est présent ${count} fois : une seule valeur est acceptée.`,
        { param: part.name },
      );
    }
    form.set(part.name, part);
  }
  const text = (name: string) => {
    const p = form.get(name);
    const value = p && p.fileName === undefined ? p.data.toString('utf8') : undefined;
    if (value !== undefined && hasUnsafeChars(value)) {
      throw new AppError(
        'invalid_request',
        `Le champ « ${name} » contient un caractère nul (U+0000), refusé.`,
        {
          param: name,
        },
      );
    }
    return value;
  };
  const filePart = form.get('file');
  if (filePart?.fileName === undefined) {
    throw new AppError('invalid_request', 'Le champ « file » (le fichier à ajouter) est obligatoire.', {
      param: 'file',
    });
  }
  const file = { name: filePart.fileName || 'fichier', bytes: filePart.data };
  const collection = text('collection');
  if (typeof collection !== 'string' || !collection.trim()) {
    throw new AppError(
      'invalid_request',
      `Le champ « collection » est obligatoire (fichier « ${file.name} »).`,
      { param: 'collection' },
    );
  }
  let metadata: Record<string, unknown> | undefined;
  const metadataText = text('metadata');
  if (metadataText !== undefined) {
    if (jsonTooDeep(metadataText)) {
      throw new AppError(
        'invalid_request',
        `Le champ « metadata » de « ${file.name} » imbrique plus de ${MAX_JSON_DEPTH} niveaux.`,
        { param: 'metadata' },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(metadataText);
    } catch {
      parsed = undefined;
    }
    const ok = z.record(z.string(), z.unknown()).safeParse(parsed);
    if (!ok.success) {
      throw new AppError(
        'invalid_request',
        `Le champ « metadata » de « ${file.name} » doit être un objet JSON.`,
        { param: 'metadata' },
      );
    }
    if (jsonHasUnsafeChars(ok.data)) {
      throw new AppError(
        'invalid_request',
        `Le champ « metadata » de « ${file.name} » contient un caractère nul (U+0000) ou un caractère Unicode incomplet.`,
        { param: 'metadata' },
      );
    }
    metadata = ok.data;
  }
  // A folder upload names each file by its path in the folder (`path` field, or a relative file
  // name as browsers send for a folder): same-named files of two folders are two documents.
  const path = text('path')?.trim() || relativeName(file.name);
  return { file, collection: collection.trim(), metadata, path };
}

/** A file name carrying a relative folder path (`2024/tarifs.md`), never an absolute one. */
function relativeName(name: string): string | undefined {
  if (!/[\\/]/.test(name) || /^([a-zA-Z]:)?[\\/]/.test(name) || name.split(/[\\/]/).includes('..'))
    return undefined;
  return name;
}

export function registerDocumentRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const store = services.store;
  // Registered without a generated validator: the multipart body is read (once) by readUpload,
  // which turns a truncated or interrupted upload into a clear 400.
  app.openAPIRegistry.registerPath(upload);
  app.post('/v1/documents', async (c) => {
    const { file, collection, metadata, path } = await readUpload(c, services);
    const result = await ingestDocument({
      store,
      orgId: c.get('principal').orgId,
      collectionId: collection,
      fileName: file.name,
      relativePath: path,
      bytes: file.bytes,
      metadata,
      maxBytes: services.config.documents.max_upload_bytes,
      chunkTokens: services.config.search.chunk_tokens,
      embed: await documentEmbedder(services, c.get('principal').orgId),
      signal: c.req.raw.signal,
      pool: parsePool(services.config.documents),
    });
    const body = {
      ...documentJson(result.document),
      duplicate: result.status === 'duplicate',
      replaced: result.status === 'replaced',
    };
    return c.json(body, result.status === 'added' ? 201 : 200);
  });
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const r = await listDocuments({
      store,
      orgId: c.get('principal').orgId,
      collectionId: q.collection,
      limit: q.limit,
      offset: q.offset,
    });
    return c.json({ object: 'list' as const, data: r.documents.map(documentJson), total: r.total }, 200);
  });
  app.openapi(get, async (c) => {
    const r = await getDocument({ store, orgId: c.get('principal').orgId, id: c.req.valid('param').id });
    return c.json(
      { ...documentJson(r.document), markdown: r.markdown, chunks: r.chunks.map(chunkJson) },
      200,
    );
  });
  app.openapi(remove, async (c) => {
    const gone = await deleteDocument({
      store,
      orgId: c.get('principal').orgId,
      id: c.req.valid('param').id,
    });
    return c.json({ id: gone.id, object: 'document' as const, deleted: true as const }, 200);
  });
}
