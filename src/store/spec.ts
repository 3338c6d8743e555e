/**
 * The `Store` spec: everything Guichet keeps goes through these interfaces. Adapters: `sqlite/`
 * (embedded default) and `postgres/` (scale-out). Callers never see SQL; every method is async so
 * that a networked adapter fits without changing callers.
 */
import type { Audience, DocumentKind } from '../knowledge/model.js';
import type { AccountsRepo } from './accounts-spec.js';
import type { AiToolRepo } from './ai-tools-spec.js';
import type { AuditRepo, ConversationRepo, PersonalDataRepo } from './privacy-spec.js';
import type { TrainingRepo } from './training-spec.js';

export type Visibility = 'private' | 'shared' | 'public';

export interface Collection {
  id: string;
  /** Owning organisation (the default organisation until accounts exist). */
  orgId: string;
  name: string;
  description: string;
  visibility: Visibility;
  /** Built-in national collection: read-only through the API. */
  builtin: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewCollection {
  id?: string;
  orgId: string;
  name: string;
  description?: string;
  visibility: Visibility;
  builtin?: boolean;
}

export interface StoredDocument {
  id: string;
  collectionId: string;
  externalId: string;
  title: string;
  description: string;
  url: string | null;
  kind: DocumentKind;
  audience: Audience | null;
  breadcrumb: string[];
  date: string | null;
  /** SHA-256 of the source content: unchanged content is skipped on re-ingest. */
  hash: string;
  metadata: Record<string, unknown>;
  chunkCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface StoredChunk {
  id: string;
  documentId: string;
  collectionId: string;
  ordinal: number;
  path: string[];
  text: string;
  tokens: number;
}

/** Fields already passed through the French analyzer (space-separated terms), per search field. */
export interface LexicalFields {
  title: string;
  headings: string;
  body: string;
}

export interface ChunkInput {
  ordinal: number;
  path: string[];
  text: string;
  tokens: number;
  lexical: LexicalFields;
}

export interface DocumentInput {
  collectionId: string;
  externalId: string;
  title: string;
  description: string;
  url: string | null;
  kind: DocumentKind;
  audience: Audience | null;
  breadcrumb: string[];
  date: string | null;
  markdown: string;
  hash: string;
  metadata: Record<string, unknown>;
  chunks: ChunkInput[];
}

export interface LexicalQuery {
  /** Analyzed terms (already folded/stemmed); an empty list matches nothing. */
  terms: string[];
  /** Restrict to these collections; required (an empty list matches nothing). */
  collectionIds: string[];
  limit: number;
  /** BM25 weights of the title, headings and body fields. */
  weights: { title: number; headings: number; body: number };
}

export interface DenseQuery {
  vector: Float32Array;
  collectionIds: string[];
  limit: number;
}

export interface ChunkHit {
  chunkId: string;
  documentId: string;
  /** Higher is better (adapters normalise their engine's sign). */
  score: number;
}

export interface ChunkWithDocument extends StoredChunk {
  document: StoredDocument;
}

export interface StoreInfo {
  adapter: 'sqlite' | 'postgres';
  location: string;
  /** Whether dense (vector) search is available in this store. */
  vectors: boolean;
  schemaVersion: number;
}

export interface CollectionRepo {
  create(input: NewCollection): Promise<Collection>;
  get(id: string): Promise<Collection | null>;
  list(filter?: { orgId?: string; includeShared?: boolean }): Promise<Collection[]>;
  update(
    id: string,
    patch: Partial<Pick<Collection, 'name' | 'description' | 'visibility'>>,
  ): Promise<Collection>;
  /** Deletes the collection with all its documents, chunks and vectors. */
  delete(id: string): Promise<void>;
}

export interface DocumentRepo {
  /**
   * Inserts or replaces (same collection + externalId) a document with all its chunks, atomically:
   * after a crash either the old version or the new one is there, never half of one.
   */
  put(input: DocumentInput): Promise<StoredDocument>;
  /** Same as `put` for many documents, in one transaction (bulk ingestion). */
  putMany(inputs: DocumentInput[]): Promise<void>;
  get(id: string): Promise<StoredDocument | null>;
  getByExternalId(collectionId: string, externalId: string): Promise<StoredDocument | null>;
  /** Finds a document of the collection with this content hash (duplicate detection). */
  findByHash(collectionId: string, hash: string): Promise<StoredDocument | null>;
  list(collectionId: string, page?: { limit: number; offset: number }): Promise<StoredDocument[]>;
  count(collectionId?: string): Promise<number>;
  /** externalId → hash for every document of a collection (idempotent ingestion). */
  hashes(collectionId: string): Promise<Map<string, string>>;
  markdown(id: string): Promise<string | null>;
  chunks(documentId: string): Promise<StoredChunk[]>;
  /** Removes a document with its chunks and vectors from every search path. */
  delete(id: string): Promise<void>;
  /** Removes the documents of a collection whose externalId is not in `keep`; returns how many. */
  deleteMissing(collectionId: string, keep: Set<string>): Promise<number>;
}

/** The in-memory lexical copy as last seen: built and not known to be behind the store, and its size. */
export interface LexicalCacheState {
  ready: boolean;
  chunks: number;
  postings: number;
  /** Copies built from a full load of the store. */
  loads: number;
  /** Copies brought up to date from the store's change log (a few changed chunks merged in). */
  merges: number;
}

export interface SearchRepo {
  lexical(query: LexicalQuery): Promise<ChunkHit[]>;
  /** Throws AppError('service_unavailable') when the store has no vector support. */
  dense(query: DenseQuery): Promise<ChunkHit[]>;
  /** Stores embeddings of chunks (replaces existing ones). */
  putVectors(items: { chunkId: string; vector: Float32Array }[]): Promise<void>;
  /** Chunks that have no vector yet (for background embedding), oldest first. */
  chunksWithoutVector(limit: number): Promise<StoredChunk[]>;
  /**
   * Index statistics of analyzed terms: how many chunks there are, and in how many chunks each term
   * occurs — over the whole index, or over the chunks of `collectionIds` when given (a search
   * scope: what another organisation stores then changes nothing). Used to judge whether results
   * are relevant at all.
   */
  termStats(terms: string[], collectionIds?: string[]): Promise<{ chunks: number; df: Map<string, number> }>;
  /**
   * Within some collections: how many documents they hold, and in how many of those documents each
   * term occurs. Only asked for terms that are rare in the whole index (cheap to count).
   */
  scopeStats(
    terms: string[],
    collectionIds: string[],
  ): Promise<{ documents: number; df: Map<string, number> }>;
  /** Loads chunks with their documents, in the order of the ids given. */
  hydrate(chunkIds: string[]): Promise<ChunkWithDocument[]>;
  /**
   * The kind of each of these documents (unknown ids are left out): what the kind priors of a
   * search need for its 40 candidates, without loading their passages and metadata.
   */
  documentKinds(documentIds: string[]): Promise<Map<string, string>>;
  /**
   * Long-running processes (the server): keep an in-memory copy of the lexical index, used while it
   * matches the store's current state (same ranking as the store's own query, much faster). Resolves
   * true once a current copy is ready. One-shot commands never call it.
   */
  warmLexical(log?: { info?(message: string): void; warn(message: string): void }): Promise<boolean>;
  /** State of that copy (for `/health`, metrics and logs). */
  lexicalCache(): LexicalCacheState;
}

export interface MetaRepo {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  /**
   * Runs `fn` while holding a lock named `name` across every process sharing the store (PostgreSQL:
   * a session advisory lock, released if the process dies; SQLite: within the process). `onWait` is
   * called once when another holder makes us wait.
   */
  exclusive<T>(name: string, fn: () => Promise<T>, onWait?: () => void): Promise<T>;
}

export interface Store {
  readonly info: StoreInfo;
  readonly collections: CollectionRepo;
  readonly documents: DocumentRepo;
  readonly search: SearchRepo;
  readonly meta: MetaRepo;
  readonly accounts: AccountsRepo;
  /** Hash-chained audit log (privacy/audit-log.ts computes the chain). */
  readonly audit: AuditRepo;
  /** Conversations kept for the web UI, with messages and feedback. */
  readonly conversations: ConversationRepo;
  /** Export, erasure and retention purge of personal data. */
  readonly personalData: PersonalDataRepo;
  /** The organisation's inventory of AI tools (register for the DPO). */
  readonly aiTools: AiToolRepo;
  /** Agents' AI training: quizzes drawn, attempts and passes. */
  readonly training: TrainingRepo;
  close(): Promise<void>;
}
