import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import {
  AiToolCreateSchema,
  aiToolJson,
  aiToolsCsv,
  aiToolsMarkdown,
  aiToolsPdf,
  guichetTool,
  readDetails,
} from './ai-tools.js';

const config = (overrides: Record<string, unknown> = {}) =>
  loadConfig({ env: {}, file: '/dev/null', overrides: { data_dir: '/tmp/unused', ...overrides } });

const SECNUMCLOUD = {
  providers: [
    {
      id: 'souverain',
      type: 'openai-compatible',
      base_url: 'https://llm.example.fr/v1',
      models: ['m'],
      local: false,
      sovereignty: { operator: 'Cloud FR', country: 'FR', certifications: ['SecNumCloud'], foreign_laws: [] },
    },
  ],
};

describe('Guichet’s computed entry', () => {
  it('without an outside provider: nothing leaves, no foreign law, secure deployment', () => {
    const t = guichetTool(config(), { sensitive: false });
    expect(t).toMatchObject({ id: 'guichet', computed: true, foreign_law_exposure: false, foreign_laws: [] });
    expect(t.provider).toMatch(/aucun fournisseur externe/);
    expect(t.checklist).toMatchObject({ secure_deployment: true, transfers_framed: true });
    expect(t.notes).toMatch(/Aucun envoi hors du serveur/);
  });

  it('a SecNumCloud provider in France: no foreign law, pseudonymised text', () => {
    const t = guichetTool(config(SECNUMCLOUD), { sensitive: false });
    expect(t.foreign_law_exposure).toBe(false);
    expect(t.hosting_country).toContain('FR');
    expect(t.provider).toContain('SecNumCloud');
    expect(t.checklist.secure_deployment).toBe(true);
  });

  it('an undeclared provider: exposure unknown; a sensitive organisation: nothing reaches it', () => {
    const undeclared = {
      providers: [{ id: 'x', type: 'openai-compatible', base_url: 'https://x.example/v1', models: ['m'] }],
    };
    expect(guichetTool(config(undeclared), { sensitive: false }).foreign_law_exposure).toBeNull();
    const sensitive = guichetTool(config(undeclared), { sensitive: true });
    expect(sensitive.foreign_law_exposure).toBe(false);
    expect(sensitive.data.sensitive_data).toBe(true);
    expect(sensitive.notes).toMatch(/sensible/);
  });
});

describe('exports', () => {
  const tool = (name: string, extra: Record<string, unknown> = {}) =>
    aiToolJson({
      id: 'aitool_1',
      orgId: 'default',
      name,
      details: { provider: '=HYPERLIEN("http://x")', notes: 'ligne 1\nligne 2 ; « guillemets »', ...extra },
      createdAt: '2026-12-01T00:00:00Z',
      updatedAt: '2026-12-01T00:00:00Z',
    });

  it('CSV: a header and one line per tool, formulas neutralised, separators quoted', () => {
    const csv = aiToolsCsv([guichetTool(config(), null), tool('Outil "test"')]);
    const [head, , line] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(head.split(';').length).toBeGreaterThan(20);
    expect(line).toContain('"Outil ""test"""');
    expect(line).toContain(`'=HYPERLIEN`);
    expect(line).toContain('"ligne 1\nligne 2 ; « guillemets »"');
  });

  it('Markdown and PDF survive characters the PDF font cannot draw', async () => {
    const tools = [tool('Résumé 📄 des réunions — œuvre', { checklist: { concrete_need: true } })];
    const md = aiToolsMarkdown(tools, { organisation: 'Mairie | test', generatedAt: 'maintenant' });
    expect(md).toContain('## Résumé 📄 des réunions — œuvre');
    expect(md).toContain('- [x] Le déploiement répond à un besoin concret');
    const pdf = await PDFDocument.load(
      await aiToolsPdf(tools, { organisation: 'Mairie', generatedAt: 'maintenant' }),
    );
    expect(pdf.getPageCount()).toBe(1);
    const many = Array.from({ length: 12 }, (_, i) => tool(`Outil ${i}`));
    const long = await PDFDocument.load(await aiToolsPdf(many, { organisation: 'Mairie', generatedAt: 'x' }));
    expect(long.getPageCount()).toBeGreaterThan(2);
  });
});

describe('validation', () => {
  it('reads stored details tolerantly: a field written differently reads as its default', () => {
    const d = readDetails({ provider: 'P', dpia_status: 'obsolète', services: 'pas une liste' });
    expect(d.provider).toBe('P');
    expect(d.dpia_status).toBe('to_do');
    expect(d.services).toEqual([]);
  });

  it('refuses over-long text and too many services, in French', () => {
    const long = AiToolCreateSchema.safeParse({ name: 'x'.repeat(201) });
    expect(long.error?.issues[0].message).toBe('200 caractères au plus.');
    const many = AiToolCreateSchema.safeParse({ name: 'x', services: Array.from({ length: 51 }, () => 's') });
    expect(many.error?.issues[0].message).toBe('50 éléments au plus.');
  });
});

describe('Guichet’s entry and the sign-in provider', () => {
  it('counts the OIDC issuer’s country and laws (agents’ identity leaves the server)', () => {
    const c = config({
      oidc: {
        issuer: 'https://login.example.com',
        client_id: 'guichet',
        client_secret: 'x',
        redirect_url: 'https://guichet.example.fr/auth/callback',
      },
      privacy: {
        oidc_sovereignty: { operator: 'IdP Corp', country: 'US', foreign_laws: ['US CLOUD Act'] },
      },
    });
    const t = guichetTool(c, { sensitive: false });
    expect(t.foreign_law_exposure).toBe(true);
    expect(t.foreign_laws).toEqual(['US CLOUD Act']);
    expect(t.notes).toContain('oidc (https://login.example.com');
  });
});
