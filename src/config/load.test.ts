import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('loadConfig', () => {
  it('gives embedded defaults with no file and no variable', () => {
    const c = loadConfig({ env: {} });
    expect(c.data_dir).toBe('./data');
    expect(c.server.port).toBe(8080);
    expect(c.store.database_url).toBeUndefined();
  });

  it('lets environment variables override the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'g.yaml');
    writeFileSync(file, 'data_dir: /a\nserver:\n  port: 9000\n');
    const c = loadConfig({ env: { GUICHET_DATA_DIR: '/b' }, file });
    expect(c.data_dir).toBe('/b');
    expect(c.server.port).toBe(9000);
  });

  it('lists every problem at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'g.yaml');
    writeFileSync(file, 'server:\n  port: -1\nsearch:\n  default_k: 0\nunknown: 1\n');
    let message = '';
    try {
      loadConfig({ env: { PORT: 'abc' }, file });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('PORT');
    expect(message).toContain('search.default_k');
    expect(message).toContain('unknown');
    // In French, zod's own messages included.
    expect(message).toContain('- server.port : Trop petit');
    expect(message).toContain('Clé non reconnue : "unknown"');
    expect(message).not.toMatch(/Too small|Unrecognized key|Invalid input/);
  });
});
