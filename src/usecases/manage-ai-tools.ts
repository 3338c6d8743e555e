import {
  aiToolJson,
  aiToolsCsv,
  aiToolsMarkdown,
  aiToolsPdf,
  guichetTool,
  type AiTool,
} from '../privacy/ai-tools.js';
import type { Services } from '../services.js';

export type RegisterFormat = 'csv' | 'md' | 'pdf';

/** The organisation's inventory: Guichet's computed entry first, then the tools it declared. */
export async function listAiTools(
  services: Pick<Services, 'store' | 'config'>,
  orgId: string,
): Promise<AiTool[]> {
  const org = await services.store.accounts.orgs.get(orgId);
  const stored = await services.store.aiTools.list(orgId);
  return [guichetTool(services.config, org), ...stored.map(aiToolJson)];
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
