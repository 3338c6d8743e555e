import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { generateApiKey, hashApiKey, keyMatches, parseApiKey } from './api-key-secret.js';
import { parseExpiry } from './create-api-key.js';
import { footprintOf } from './footprint.js';
import { fits } from './limiter.js';
import { LADDER, NO_LIMITS } from './model.js';
import { can, PERMISSIONS, type Permission } from './permissions.js';
import { chargeChecks, formatDuration, requestChecks } from './quotas.js';
import { windowOf } from './windows.js';

describe('accounts domain', () => {
  it('generates keys with a visible prefix and checks them against their hash only', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^gch_[0-9A-Za-z]{48}$/);
    expect(parseApiKey(key)).toBe(prefix);
    expect(hash).toBe(hashApiKey(key));
    expect(keyMatches(key, hash)).toBe(true);
    expect(keyMatches(key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a'), hash)).toBe(false);
    expect(keyMatches(key, null)).toBe(false);
    expect(parseApiKey('gch_trop-court')).toBeNull();
    expect(new Set(Array.from({ length: 200 }, () => generateApiKey().prefix)).size).toBe(200);
  });

  it('keeps superadmin above every role and every permission held by someone', () => {
    for (const p of Object.keys(PERMISSIONS) as Permission[]) expect(can('superadmin', p), p).toBe(true);
    expect(can('agent', 'chat:use')).toBe(true);
    expect(can('agent', 'keys:manage')).toBe(false);
    expect(can('developer', 'keys:manage')).toBe(true);
    expect(can('developer', 'users:manage')).toBe(false);
    expect(can('admin', 'orgs:manage')).toBe(false);
    // Monotonic: a higher role holds everything a lower one does.
    for (const p of Object.keys(PERMISSIONS) as Permission[]) {
      LADDER.forEach((r, i) => {
        if (can(r, p))
          for (const higher of LADDER.slice(i)) expect(can(higher, p), `${higher} ${p}`).toBe(true);
      });
    }
  });

  it('gives the dpo role reading (privacy, audit, usage, people), their register of AI tools and the training', () => {
    const held = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can('dpo', p));
    expect(held.sort()).toEqual(
      [
        'audit:read',
        'me:read',
        'privacy:read',
        'usage:read',
        'users:read',
        // The inventory of AI tools is the DPO's register: they keep it.
        'ai_tools:read',
        'ai_tools:write',
        'training:take',
      ].sort(),
    );
    for (const p of held) expect(can('admin', p), p).toBe(true);
  });

  it('builds fixed windows and counters only for the limits that are set', () => {
    const now = Date.UTC(2026, 1, 28, 23, 59, 30, 500);
    expect(windowOf('minute', now)).toMatchObject({
      start: Date.UTC(2026, 1, 28, 23, 59),
      end: Date.UTC(2026, 2, 1, 0, 0),
    });
    expect(windowOf('month', now)).toMatchObject({ start: Date.UTC(2026, 1, 1), end: Date.UTC(2026, 2, 1) });
    const scopes = [
      { scope: 'org' as const, id: 'a', limits: { ...NO_LIMITS, requestsPerMinute: 5, monthlyCredits: 2 } },
    ];
    const checks = requestChecks(scopes, now);
    expect(checks.map((c) => [c.metric, c.limit, c.cost])).toEqual([
      ['requests', 5, 1],
      ['credits', 2000, 0],
    ]);
    expect(chargeChecks(scopes, now, 1500, 1500).map((c) => [c.metric, c.limit, c.cost])).toEqual([
      ['credits', null, 1500],
    ]);
    expect(fits(4, { limit: 5, cost: 1 })).toBe(true);
    expect(fits(5, { limit: 5, cost: 1 })).toBe(false);
    expect(fits(1999, { limit: 2000, cost: 0 })).toBe(true);
    expect(fits(2000, { limit: 2000, cost: 0 })).toBe(false);
    expect(formatDuration(29_500)).toBe('30s');
    expect(formatDuration(360_000)).toBe('6m0s');
    expect(parseExpiry('90d')).toBe(90);
    expect(parseExpiry('12h')).toBe(0.5);
    expect(parseExpiry('never')).toBeNull();
    expect(() => parseExpiry('-3d')).toThrow(/invalide/);
  });

  it('estimates credits, energy and carbon from the declared model size', () => {
    const config = loadConfig({
      env: {},
      overrides: { accounts: { models: { big: { parameters_b: 70, tokens_per_credit: 100 } } } },
    }).accounts;
    expect(footprintOf(config, 'big', 1000)).toEqual({
      credits: 10,
      milliCredits: 10_000,
      energyWh: 1000 * 1e-5 * 70,
      carbonG: ((1000 * 1e-5 * 70) / 1000) * 50,
    });
    expect(footprintOf(config, 'unknown', 1000)).toMatchObject({ credits: 1, energyWh: null, carbonG: null });
  });

  it('refuses quota values that make no sense at configuration time, naming the setting', () => {
    const bad = {
      accounts: {
        quotas: {
          org: { requests_per_minute: -1, tokens_per_day: 2.5 },
          key: { monthly_credits: 'beaucoup' },
        },
      },
    };
    let message = '';
    try {
      loadConfig({ env: {}, overrides: bad });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('accounts.quotas.org.requests_per_minute');
    expect(message).toContain('accounts.quotas.org.tokens_per_day');
    expect(message).toContain('accounts.quotas.key.monthly_credits');
    expect(() => loadConfig({ env: {}, overrides: { accounts: { limiter: 'redis' } } })).not.toThrow(); // checked when the limiter is built
  });
});
