import {
  aiToolJson,
  aiToolsCsv,
  aiToolsMarkdown,
  aiToolsPdf,
  GUICHET_TOOL_ID,
  GUICHET_TOOL_NAME,
  GuichetOrgFieldsSchema,
  guichetTool,
  readGuichetOrgFields,
  type AiTool,
  type GuichetOrgFields,
  type GuichetPatch,
} from '../privacy/ai-tools.js';
import type { Services } from '../services.js';
import type { Store } from '../store/spec.js';

export type RegisterFormat = 'csv' | 'md' | 'pdf';

/** Where an organisation's fields of Guichet's entry are kept (no table of their own). */
export const guichetMetaKey = (orgId: string) => `ai_tools.guichet.${orgId}`;

/** What the organisation recorded on Guichet's entry, or null when nothing yet. */
export async function guichetRecord(
  store: Store,
  orgId: string,
): Promise<{ fields: GuichetOrgFields; updatedAt: string | null } | null> {
  const raw = await store.meta.get(guichetMetaKey(orgId));
  if (raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  const at = (parsed as { updated_at?: unknown } | null)?.updated_at;
  return { fields: readGuichetOrgFields(parsed), updatedAt: typeof at === 'string' ? at : null };
}

/** The organisation's inventory: Guichet's computed entry first, then the tools it declared. */
export async function listAiTools(
  services: Pick<Services, 'store' | 'config'>,
  orgId: string,
): Promise<AiTool[]> {
  const [org, stored, recorded] = await Promise.all([
    services.store.accounts.orgs.get(orgId),
    services.store.aiTools.list(orgId),
    guichetRecord(services.store, orgId),
  ]);
  return [guichetTool(services.config, org, recorded), ...stored.map(aiToolJson)];
}

/**
 * Records the organisation's fields of Guichet's entry (its DPIA, its notes): only the fields sent
 * change. Audited as `ai_tool.updated` like the other tools (field names and the DPIA status, never
 * the free text). Returns the entry as read afterwards.
 */
export async function setGuichetFields(
  services: Pick<Services, 'store' | 'config' | 'audit'>,
  orgId: string,
  patch: GuichetPatch,
): Promise<AiTool> {
  const sent = Object.fromEntries(
    Object.entries(patch).filter(([, v]) => v !== undefined),
  ) as Partial<GuichetOrgFields>;
  const changed = Object.keys(sent);
  if (changed.length) {
    const store = services.store;
    const key = guichetMetaKey(orgId);
    const { before, after } = await store.meta.exclusive(key, async () => {
      const current = (await guichetRecord(store, orgId))?.fields ?? GuichetOrgFieldsSchema.parse({});
      const next = { ...current, ...sent };
      await store.meta.set(key, JSON.stringify({ ...next, updated_at: new Date().toISOString() }));
      return { before: current, after: next };
    });
    await services.audit.append({
      type: 'ai_tool.updated',
      orgId,
      data: {
        id: GUICHET_TOOL_ID,
        name: GUICHET_TOOL_NAME,
        fields: changed,
        dpia_status: after.dpia_status,
        dpia_status_before: before.dpia_status,
        dpia_date: after.dpia_date,
      },
    });
  }
  return (await listAiTools(services, orgId))[0]!;
}

/** The inventory exported for the DPO's register (API `?format=`, CLI `ai-tools export`). */
export async function registerExport(
  services: Pick<Services, 'store' | 'config'>,
  orgId: string,
  format: RegisterFormat,
): Promise<{ name: string; body: string | Uint8Array }> {
  const tools = await listAiTools(services, orgId);
  const org = await services.store.accounts.orgs.get(orgId);
  const header = { organisation: org?.name ?? orgId, generatedAt: new Date().toISOString() };
  const name = `inventaire-outils-ia-${orgId}.${format}`;
  if (format === 'csv') return { name, body: aiToolsCsv(tools) };
  if (format === 'md') return { name, body: aiToolsMarkdown(tools, header) };
  return { name, body: await aiToolsPdf(tools, header) };
}
