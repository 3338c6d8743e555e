import type { AuditEntry } from '../store/privacy-spec.js';
import type { Store } from '../store/spec.js';
import { currentActor, type AuditActor } from './audit-context.js';
import { canonicalJson, sha256 } from './canonical-json.js';

/**
 * The append-only, hash-chained audit log. Each entry stores the hash of the previous one and its
 * own hash: sha256 over the canonical JSON of (seq, at, type, org_id, actor, data, prev_hash).
 * Users appear only through their audit pseudonym (`sub_…`), which erasure forgets: the chain stays
 * intact while no longer naming the person. Never put prompt or answer text in `data`.
 */

export const GENESIS_HASH = '0'.repeat(64);
const MAX_STRING = 200;

export interface AuditEvent {
  /** e.g. `key.created`, `privacy.erase`, `config.loaded`. */
  type: string;
  orgId?: string | null;
  /** Default: the actor of the current request or command, else `system`. */
  actor?: AuditActor;
  /** The actor's audit name, already resolved (see `actorName`). */
  actorName?: string;
  /** Identifiers, roles, counts: short values only (long strings are cut). */
  data?: Record<string, unknown>;
}

export interface AuditProblem {
  seq: number;
  kind: 'edited' | 'deleted' | 'reordered' | 'truncated';
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: string | null;
  problems: AuditProblem[];
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return sha256(
    canonicalJson({
      seq: e.seq,
      at: e.at,
      type: e.type,
      org_id: e.orgId,
      actor: e.actor,
      data: e.data,
      prev_hash: e.prevHash,
    }),
  );
}

/** Keeps short scalar values; a long string (possibly text someone typed) is replaced by its length. */
function sanitise(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string')
    return value.length <= MAX_STRING ? value : `[texte omis : ${value.length} caractères]`;
  if (depth >= 4) return '[omis]';
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => sanitise(v, depth + 1));
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as object)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, sanitise(v, depth + 1)]),
    );
  return String(value).slice(0, MAX_STRING);
}

export class AuditLog {
  constructor(private readonly store: Store) {}

  /** The audit name of a user (a pseudonym forgotten on erasure). */
  subjectOf(userId: string): Promise<string> {
    return this.store.audit.subjectOf(userId);
  }

  /** `sub_…`, `key:<id>`, `cli` or `system`; no argument = the current request or command's actor. */
  async actorName(actor: AuditActor | undefined = currentActor()): Promise<string> {
    if (actor?.userId) return this.subjectOf(actor.userId);
    if (actor?.keyId) return `key:${actor.keyId}`;
    return actor?.via === 'cli' ? 'cli' : 'system';
  }

  async append(event: AuditEvent): Promise<AuditEntry> {
    const actor = event.actor ?? currentActor();
    const entry = {
      at: new Date().toISOString(),
      type: String(event.type).slice(0, 80),
      orgId: event.orgId ?? actor?.orgId ?? null,
      actor: event.actorName ?? (await this.actorName(actor)),
      data: sanitise(event.data ?? {}) as Record<string, unknown>,
    };
    return this.store.audit.append(entry, (seq, prevHash) => entryHash({ ...entry, seq, prevHash }));
  }

  page(o: { afterSeq?: number; limit: number; orgId?: string }): Promise<AuditEntry[]> {
    return this.store.audit.list(o);
  }

  /** Walks the whole chain: any edited, deleted or reordered entry is reported with its place. */
  async verify(): Promise<AuditVerification> {
    const problems: AuditProblem[] = [];
    const anchor = await this.store.meta.get('audit.anchor');
    const head = await this.store.meta.get('audit.head');
    const anchorsSeen = new Set<string>();
    let prev: AuditEntry | null = null;
    let count = 0;
    let first: AuditEntry | null = null;
    for (let after = 0; ;) {
      const page = await this.store.audit.list({ afterSeq: after, limit: 1000 });
      if (!page.length) break;
      for (const e of page) {
        count++;
        first ??= e;
        if (e.type === 'privacy.purge' && typeof e.data.audit_anchor === 'string')
          anchorsSeen.add(e.data.audit_anchor);
        if (entryHash(e) !== e.hash) {
          const moved = [-3, -2, -1, 1, 2, 3].some((d) => entryHash({ ...e, seq: e.seq + d }) === e.hash);
          problems.push(
            moved
              ? {
                  seq: e.seq,
                  kind: 'reordered',
                  message: `entrée ${e.seq} déplacée : son contenu appartient à une autre position`,
                }
              : {
                  seq: e.seq,
                  kind: 'edited',
                  message: `entrée ${e.seq} modifiée : son empreinte ne correspond plus à son contenu`,
                },
          );
        }
        if (prev) {
          if (e.seq !== prev.seq + 1)
            problems.push({
              seq: e.seq,
              kind: 'deleted',
              message: `entrées ${prev.seq + 1} à ${e.seq - 1} supprimées`,
            });
          else if (e.prevHash !== prev.hash)
            problems.push({
              seq: e.seq,
              kind: 'reordered',
              message: `entrée ${e.seq} : le chaînage avec l'entrée ${prev.seq} est rompu (supprimée, remplacée ou déplacée)`,
            });
        }
        prev = e;
      }
      after = page[page.length - 1].seq;
    }
    if (first) {
      const expected = `${first.seq - 1}:${first.prevHash}`;
      if (
        first.seq === 1 ? first.prevHash !== GENESIS_HASH : anchor !== expected || !anchorsSeen.has(expected)
      ) {
        problems.push({
          seq: first.seq,
          kind: 'deleted',
          message: `début du journal supprimé sans purge enregistrée (première entrée : ${first.seq})`,
        });
      }
    }
    const last = prev;
    if (head && (!last || head !== `${last.seq}:${last.hash}`)) {
      problems.push({
        seq: last?.seq ?? 0,
        kind: 'truncated',
        message: `dernières entrées supprimées ou remplacées (tête attendue : ${head.split(':')[0]})`,
      });
    }
    problems.sort((a, b) => a.seq - b.seq);
    return {
      ok: problems.length === 0,
      entries: count,
      head: last ? `${last.seq}:${last.hash}` : null,
      problems,
    };
  }
}
