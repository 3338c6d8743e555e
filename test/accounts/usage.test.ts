import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKey, startTestApp, type RunningApp } from '../helpers/accounts.js';

let app: RunningApp;
let client: OpenAI;
let key: string;

beforeAll(async () => {
  app = await startTestApp({ config: { accounts: { models: { guichet: { parameters_b: 7 } } } } });
  key = await createTestKey(app.services.store, { role: 'developer' });
  client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: key, maxRetries: 0 });
});
afterAll(() => app?.close());

describe('usage', () => {
  it('totals match the sum of the individual requests made with the openai client', async () => {
    let prompt = 0;
    let completion = 0;
    const questions = [
      'Comment renouveler ma carte d’identité ?',
      'Quelles aides pour le logement ?',
      'Inscription sur les listes électorales',
    ];
    for (const q of questions) {
      const r = await client.chat.completions.create({
        model: 'guichet',
        messages: [{ role: 'user', content: q }],
      });
      prompt += r.usage!.prompt_tokens;
      completion += r.usage!.completion_tokens;
    }
    for (let i = 0; i < 2; i++) await client.post('/search', { body: { query: 'passeport', k: 2 } });
    await client.get('/me'); // a screen read: neither billed nor recorded
    expect(prompt + completion).toBeGreaterThan(0);

    const usage = (await client.get('/usage')) as any;
    expect(usage.totals).toMatchObject({
      requests: 5,
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    });
    expect(usage.totals.credits).toBeCloseTo((prompt + completion) / 1000, 9);
    expect(usage.data).toHaveLength(5);
    const chat = usage.data.filter((r: any) => r.endpoint === 'POST /v1/chat/completions');
    expect(chat).toHaveLength(3);
    expect(chat.reduce((n: number, r: any) => n + r.prompt_tokens, 0)).toBe(prompt);
    // Energy: tokens × 1e-5 Wh × 7 (declared size); carbon: Wh / 1000 × 50 g.
    expect(usage.totals.energy_wh).toBeCloseTo((prompt + completion) * 1e-5 * 7, 9);
    expect(usage.totals.carbon_gco2e).toBeCloseTo(((prompt + completion) * 1e-5 * 7 * 50) / 1000, 9);
    expect(
      usage.data.filter(
        (r: any) => r.endpoint === 'POST /v1/search' && r.prompt_tokens === 0 && r.status === 200,
      ),
    ).toHaveLength(2);
    // Never the text of a question or an answer.
    expect(JSON.stringify(usage)).not.toContain('carte');

    const byModel = (await client.get('/usage', { query: { model: 'guichet' } })) as any;
    expect(byModel.totals.requests).toBe(3);
    const days = (await client.get('/usage', { query: { group: 'day' } })) as any;
    expect(days.days).toHaveLength(1);
    expect(days.days[0].requests).toBe(5); // reading the usage is not usage
    const empty = (await client.get('/usage', { query: { from: '2000-01-01', to: '2000-01-02' } })) as any;
    expect(empty.totals.requests).toBe(0);
    await expect(client.get('/usage', { query: { from: 'hier' } })).rejects.toMatchObject({ status: 400 });
  });

  it('keeps each organisation to its own usage', async () => {
    const other = await createTestKey(app.services.store, { orgId: 'autre', role: 'admin' });
    const otherClient = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: other, maxRetries: 0 });
    const usage = (await otherClient.get('/usage')) as any;
    expect(usage.org_id).toBe('autre');
    expect(usage.totals.requests).toBe(0);
  });
});
