import { AppError } from '../shared/errors.js';
import type { ErasureCounts, SubjectData } from '../store/privacy-spec.js';
import type { Store } from '../store/spec.js';
import type { AuditLog } from './audit-log.js';

/**
 * Rights of the persons (GDPR Art. 15 and 17) for a user of Guichet: export everything held about
 * them, and erase it. `orgId` limits the action to one organisation (an admin's); absent = CLI.
 */

export interface SubjectExport extends SubjectData {
  object: 'subject_export';
  generatedAt: string;
  /** Audit entries where the user acted or was acted upon (through their audit pseudonym). */
  auditEntries: Record<string, unknown>[];
}

async function findUser(store: Store, userId: string, orgId: string | undefined) {
  const user = await store.accounts.users.get(userId);
  if (!user || (orgId !== undefined && user.orgId !== orgId))
    throw new AppError('not_found', `Utilisateur introuvable : ${userId}`);
  return user;
}

export async function exportSubjectData(o: {
  store: Store;
  audit: AuditLog;
  userId: string;
  orgId?: string;
}): Promise<SubjectExport> {
  const user = await findUser(o.store, o.userId, o.orgId);
  const data = await o.store.personalData.collect(user.id);
  const subject = data.auditSubject;
  const auditEntries: Record<string, unknown>[] = [];
  if (subject) {
    for (let after = 0; ;) {
      const page = await o.store.audit.list({ afterSeq: after, limit: 1000 });
      if (!page.length) break;
      for (const e of page)
        if (e.actor === subject || JSON.stringify(e.data).includes(subject)) auditEntries.push({ ...e });
      after = page[page.length - 1].seq;
    }
  }
  await o.audit.append({
    type: 'privacy.export',
    orgId: user.orgId,
    data: { user: await o.audit.subjectOf(user.id) },
  });
  return {
    object: 'subject_export',
    generatedAt: new Date().toISOString(),
    ...data,
    auditSubject: subject,
    auditEntries,
  };
}

export async function eraseSubjectData(o: {
  store: Store;
  audit: AuditLog;
  userId: string;
  orgId?: string;
}): Promise<ErasureCounts> {
  const user = await findUser(o.store, o.userId, o.orgId);
  const subject = await o.audit.subjectOf(user.id);
  // The actor is named before erasure: naming it afterwards would re-create the erased user's pseudonym.
  const actorName = await o.audit.actorName(undefined);
  const counts = await o.store.personalData.erase(user.id);
  await o.audit.append({
    type: 'privacy.erase',
    orgId: user.orgId,
    actorName,
    data: { user: subject, counts: { ...counts } },
  });
  return counts;
}
