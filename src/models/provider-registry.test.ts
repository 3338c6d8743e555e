import { describe, expect, it } from 'vitest';
import { parseProvidersConfig } from './config.js';
import { PROVIDER_KINDS, providerFacts } from './provider-registry.js';

describe('provider registry', () => {
  it('gives every provider type of the configuration schema its factory and sovereignty facts', () => {
    const config = parseProvidersConfig({
      providers: [
        {
          id: 'albert',
          type: 'openai-compatible',
          base_url: 'https://albert.example.gouv.fr/v1',
          models: ['m'],
          sovereignty: {
            operator: 'DINUM',
            country: 'FR',
            hosting: 'FR',
            certifications: ['SecNumCloud'],
            foreign_laws: [],
          },
        },
        { id: 'gguf', type: 'llama-cpp', model_path: '/nowhere.gguf', models: ['t'] },
      ],
    });
    // A type added to the schema without a registry entry fails here (and does not compile).
    expect(Object.keys(PROVIDER_KINDS).sort()).toEqual(
      [...new Set(config.providers.map((p) => p.type))].sort(),
    );
    expect(providerFacts(config.providers[0])).toMatchObject({
      origins: ['https://albert.example.gouv.fr'],
      local: false,
      sovereignty: { operator: 'DINUM' },
    });
    expect(providerFacts(config.providers[1])).toEqual({ origins: [], local: true, sovereignty: undefined });
  });
});
