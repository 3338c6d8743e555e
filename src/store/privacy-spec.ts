/**
 * Repositories of the privacy domain: the hash-chained audit log, conversations kept for the web UI
 * (with messages and feedback), and the personal-data operations (export, erase, retention purge).
 * Async and SQL-free: each Store adapter implements them.
 */

/** One audit entry as stored. `data` never holds prompt or answer text, nor a user's name or e-mail. */
export interface AuditEntry {
  seq: number;
  at: string;
  type: string;
  orgId: string | null;
  /** `sub_…` (a user, through its audit pseudonym), `key:<id>`, `cli` or `system`. */
  actor: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

export interface AuditRepo {
  /**
   * Appends atomically after the current last entry: `seal(seq, prevHash)` computes the entry's
   * hash (the chain is the caller's; the adapter only guarantees that no two appends interleave).
   */
  append(entry: NewAuditEntry, seal: (seq: number, prevHash: string) => string): Promise<AuditEntry>;
  /** Entries in `seq` order from `afterSeq` (exclusive). */
  list(page: { afterSeq?: number; limit: number; orgId?: string }): Promise<AuditEntry[]>;
  /** The audit pseudonym of a user (created on first use). */
  subjectOf(userId: string): Promise<string>;
  /** The pseudonym if one exists (no creation). */
  findSubject(userId: string): Promise<string | null>;
  /** Deletes entries older than `before` (ISO) except the last one; returns count and the last deleted entry. */
  deleteBefore(before: string): Promise<{ deleted: number; last: AuditEntry | null }>;
}

export interface Conversation {
  id: string;
  orgId: string;
  userId: string | null;
  /** The owner's service when the conversation was created (the pilot's attribution), kept as is. */
  serviceId: string | null;
  title: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredMessage {
  id: string;
  conversationId: string;
  role: 'system' | 'user' | 'assistant';
  content: string;
  createdAt: string;
  citations: unknown[];
  /** False while an answer is still streaming (or was interrupted). */
  complete: boolean;
  /** An agent ticked "J'ai relu cette réponse" (AI Act art. 50 marking): who (user id) and when. */
  reviewedBy: string | null;
  reviewedAt: string | null;
  /** An answer that was the fixed "no source" refusal (decided before any model call). */
  noSource: boolean;
}

/** A message of the pilot's period, with its conversation's service. */
export interface PilotMessage extends StoredMessage {
  serviceId: string | null;
}

export interface PilotFilter {
  orgId: string;
  /** ISO instants, `from` inclusive, `to` exclusive (messages' creation). */
  from: string;
  to: string;
  /** Only conversations of this service. */
  serviceId?: string;
}

export interface Feedback {
  id: string;
  messageId: string;
  orgId: string;
  userId: string | null;
  /** e.g. 1 = useful, -1 = not useful. */
  rating: number;
  tags: string[];
  comment: string;
  createdAt: string;
}

export interface ConversationRepo {
  create(input: {
    orgId: string;
    userId: string | null;
    serviceId?: string | null;
    title?: string;
  }): Promise<Conversation>;
  get(id: string): Promise<Conversation | null>;
  /** Most recently updated first. */
  listByUser(userId: string, page?: { limit: number; offset: number }): Promise<Conversation[]>;
  rename(id: string, title: string): Promise<Conversation | null>;
  /** Deletes the conversation with its messages and their feedback. */
  delete(id: string): Promise<void>;
  /** Adds a message and touches the conversation's `updatedAt`. */
  addMessage(input: {
    conversationId: string;
    role: StoredMessage['role'];
    content: string;
    citations?: unknown[];
    complete?: boolean;
    noSource?: boolean;
  }): Promise<StoredMessage>;
  updateMessage(
    id: string,
    patch: { content?: string; citations?: unknown[]; complete?: boolean },
  ): Promise<StoredMessage | null>;
  messages(conversationId: string): Promise<StoredMessage[]>;
  /** Marks an answer as read by an agent (`by`: a user id, or null for a key), or unmarks it (null). */
  setReviewed(id: string, review: { by: string | null } | null): Promise<StoredMessage | null>;
  /**
   * Deletes a message of the conversation and every message after it, with their feedback (a
   * question edited or an answer regenerated); returns the number of messages deleted.
   */
  truncateFrom(conversationId: string, messageId: string): Promise<number>;
  addFeedback(
    input: Omit<Feedback, 'id' | 'createdAt' | 'tags' | 'comment'> & { tags?: string[]; comment?: string },
  ): Promise<Feedback>;
  feedback(messageId: string): Promise<Feedback[]>;
  /**
   * The pilot's rows: messages of the organisation created in the period (by conversation, then in
   * order), and the feedback on them.
   */
  pilotRows(filter: PilotFilter): Promise<{ messages: PilotMessage[]; feedback: Feedback[] }>;
}

/** Everything held about one user, as plain rows (the export). */
export interface SubjectData {
  user: Record<string, unknown> | null;
  apiKeys: Record<string, unknown>[];
  sessions: Record<string, unknown>[];
  conversations: (Record<string, unknown> & { messages: Record<string, unknown>[] })[];
  feedback: Record<string, unknown>[];
  usage: Record<string, unknown>[];
  /** AI training attempts (date, score, course version); erased with the person. */
  training: Record<string, unknown>[];
  auditSubject: string | null;
}

export interface ErasureCounts {
  users: number;
  apiKeys: number;
  sessions: number;
  conversations: number;
  messages: number;
  feedback: number;
  usageAnonymised: number;
  auditSubjects: number;
}

export interface PurgeCounts {
  conversations: number;
  messages: number;
  feedback: number;
  usage: number;
  audit: number;
  documents: number;
}

export interface PersonalDataRepo {
  collect(userId: string): Promise<SubjectData>;
  /** Erases a user in one transaction: rows deleted, usage rows kept without user or key. */
  erase(userId: string): Promise<ErasureCounts>;
  /** Conversations not updated since `before`; usage rows older than `before`. */
  purgeConversations(before: string): Promise<Pick<PurgeCounts, 'conversations' | 'messages' | 'feedback'>>;
  purgeUsage(before: string): Promise<number>;
}
