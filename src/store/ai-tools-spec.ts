/**
 * The organisation's inventory of AI tools (the DPO's register of AI systems in use). The store
 * keeps a name and a JSON object of details; `privacy/ai-tools.ts` gives them their shape and
 * validates them (the store never interprets them).
 */
export interface StoredAiTool {
  id: string;
  orgId: string;
  name: string;
  details: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface AiToolRepo {
  create(input: { orgId: string; name: string; details: Record<string, unknown> }): Promise<StoredAiTool>;
  get(id: string): Promise<StoredAiTool | null>;
  /** The organisation's tools, by name. */
  list(orgId: string): Promise<StoredAiTool[]>;
  update(
    id: string,
    patch: { name?: string; details?: Record<string, unknown> },
  ): Promise<StoredAiTool | null>;
  delete(id: string): Promise<void>;
}
