/**
 * Deployment files (no Docker engine or Kubernetes here): every YAML parses; the Helm templates are
 * rendered with a tiny substitution of values.yaml (the few template forms the chart uses; any
 * other form fails the test) and parse; every environment variable set for Guichet is one the
 * configuration reads; the configuration files (deploy/guichet.yaml, the ConfigMap's guichet.yaml)
 * validate against the configuration schema; the systemd unit is hardened.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { ROOT } from '../helpers/cli.js';

const DEPLOY = join(ROOT, 'deploy');
const CHART = join(DEPLOY, 'helm', 'guichet');
const tmp = mkdtempSync(join(tmpdir(), 'guichet-deploy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The variables of ENV_MAP in src/config/load.ts, each proven to change the configuration. */
function envMapNames(): string[] {
  const source = readFileSync(join(ROOT, 'src/config/load.ts'), 'utf8');
  const block = /const ENV_MAP[^=]*=\s*\{([\s\S]*?)\n\};/.exec(source)?.[1] ?? '';
  const names = [...block.matchAll(/^\s*([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
  const base = JSON.stringify(loadConfig({ env: {}, file: undefined }));
  for (const name of names) {
    const value = /PORT/.test(name)
      ? '9999'
      : name === 'GUICHET_LOG_LEVEL'
        ? 'debug'
        : name.endsWith('_URL') || name === 'OIDC_ISSUER'
          ? 'http://exemple.test/x'
          : 'valeur';
    // Read = the configuration changes, or is refused because of it (e.g. OIDC settings come together).
    let changed: string;
    try {
      changed = JSON.stringify(loadConfig({ env: { [name]: value }, file: undefined }));
    } catch (e) {
      changed = `refusée : ${(e as Error).message}`;
    }
    expect(changed, `${name} ne change rien à la configuration`).not.toBe(base);
  }
  return names;
}

/** Every variable Guichet reads with this configuration. */
function readVariables(config: Config): Set<string> {
  const names = new Set([...envMapNames(), 'GUICHET_CONFIG']);
  for (const p of config.providers) if ('api_key_env' in p && p.api_key_env) names.add(p.api_key_env);
  if (config.metrics.token_env) names.add(config.metrics.token_env);
  return names;
}

function loadConfigText(text: string, env: Record<string, string> = {}): Config {
  const file = join(tmp, `guichet-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return loadConfig({ file, env });
}

const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, any>;

function lookup(path: string): unknown {
  if (path === '.Release.Name') return 'guichet';
  if (!path.startsWith('.Values.')) throw new Error(`forme de gabarit non prise en charge : ${path}`);
  let node: any = values;
  for (const k of path.slice('.Values.'.length).split('.')) {
    if (node == null || !(k in node)) throw new Error(`valeur absente de values.yaml : ${path}`);
    node = node[k];
  }
  return node;
}

/** Renders the few template forms the chart uses; anything else throws. */
function render(template: string): string {
  const out: string[] = [];
  const skipping: boolean[] = [];
  for (const line of template.split('\n')) {
    const cond = /^\{\{-? if (not )?(\.[\w.]+) -?\}\}$/.exec(line.trim());
    if (cond) {
      skipping.push(Boolean(lookup(cond[2])) === Boolean(cond[1]));
      continue;
    }
    if (/^\{\{-? end -?\}\}$/.test(line.trim())) {
      skipping.pop();
      continue;
    }
    if (skipping.some(Boolean)) continue;
    const block = /^(\s*)\{\{- toYaml (\.[\w.]+) \| nindent (\d+) \}\}$/.exec(line);
    if (block) {
      const pad = ' '.repeat(Number(block[3]));
      out.push(
        ...stringify(lookup(block[2]))
          .trimEnd()
          .split('\n')
          .map((l) => pad + l),
      );
      continue;
    }
    out.push(
      line.replace(/\{\{ (\.[\w.]+)( \| quote)? \}\}/g, (_m, path: string, quote?: string) => {
        const v = lookup(path);
        return quote ? JSON.stringify(String(v)) : String(v);
      }),
    );
  }
  const text = out.join('\n');
  expect(text, 'forme de gabarit non rendue').not.toContain('{{');
  return text;
}

const rendered = Object.fromEntries(
  readdirSync(join(CHART, 'templates')).map((f) => [
    f,
    parse(render(readFileSync(join(CHART, 'templates', f), 'utf8'))),
  ]),
) as Record<string, any>;

describe('deploy/', () => {
  it('every YAML file parses', () => {
    const files = [
      join(DEPLOY, 'compose.yaml'),
      join(DEPLOY, 'guichet.yaml'),
      join(CHART, 'Chart.yaml'),
      join(CHART, 'values.yaml'),
    ];
    for (const f of files) {
      for (const doc of parseAllDocuments(readFileSync(f, 'utf8'))) expect(doc.errors, f).toEqual([]);
    }
    expect(Object.keys(rendered).sort()).toEqual([
      'configmap.yaml',
      'deployment.yaml',
      'hpa.yaml',
      'secret.yaml',
      'service.yaml',
    ]);
    expect(parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'))).toMatchObject({
      apiVersion: 'v2',
      name: 'guichet',
    });
  });

  it('Compose: guichet, PostgreSQL with pgvector, Redis, optional vLLM/Ollama; only variables Guichet reads', () => {
    const compose = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8')) as Record<string, any>;
    expect(compose.services.postgres.image).toBe('pgvector/pgvector:pg16');
    expect(compose.services.redis.image).toMatch(/^redis:/);
    expect(compose.services.vllm.profiles).toEqual(['vllm']);
    expect(compose.services.ollama.profiles).toEqual(['ollama']);
    const g = compose.services.guichet;
    const config = loadConfigText(readFileSync(join(DEPLOY, 'guichet.yaml'), 'utf8'), {
      GUICHET_METRICS_TOKEN: 'x'.repeat(16),
    });
    const known = readVariables(config);
    const set = Object.keys(g.environment as Record<string, string>);
    expect(
      set.filter((n) => !known.has(n)),
      'variables inconnues de la configuration',
    ).toEqual([]);
    expect(set).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'GUICHET_CONFIG']));
    expect(g.environment.GUICHET_CONFIG).toBe('/etc/guichet/guichet.yaml');
    expect(g.volumes).toContain('./guichet.yaml:/etc/guichet/guichet.yaml:ro');
    // Every ${VAR} of the file is documented in .env.example (or has a default).
    const example = readFileSync(join(DEPLOY, '.env.example'), 'utf8');
    const text = readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8');
    for (const m of text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}/g)) {
      if (!m[2]?.startsWith(':-'))
        expect(example, `${m[1]} absent de .env.example`).toMatch(new RegExp(`^#? ?${m[1]}=`, 'm'));
    }
  });

  it('Helm: Deployment probes /health, env from ConfigMap and Secret known to the configuration, HPA on it', () => {
    const configText = rendered['configmap.yaml'].data['guichet.yaml'] as string;
    const config = loadConfigText(configText, { GUICHET_METRICS_TOKEN: 'x'.repeat(16) });
    expect(config.metrics).toMatchObject({ enabled: true, token_env: 'GUICHET_METRICS_TOKEN' });
    expect(config.accounts.limiter).toBe('redis');
    const known = readVariables(config);

    const dep = rendered['deployment.yaml'];
    expect(dep.kind).toBe('Deployment');
    const c = dep.spec.template.spec.containers[0];
    for (const probe of ['readinessProbe', 'livenessProbe'])
      expect(c[probe].httpGet).toEqual({ path: '/health', port: 'http' });
    const env = c.env as {
      name: string;
      value?: string;
      valueFrom?: { secretKeyRef: { name: string; key: string } };
    }[];
    expect(
      env.map((e) => e.name).filter((n) => !known.has(n)),
      'variables inconnues de la configuration',
    ).toEqual([]);
    const secret = rendered['secret.yaml'];
    for (const e of env.filter((x) => x.valueFrom)) {
      expect(e.valueFrom!.secretKeyRef.name).toBe(secret.metadata.name);
      expect(Object.keys(secret.stringData)).toContain(e.valueFrom!.secretKeyRef.key);
    }
    expect(env.find((e) => e.name === 'GUICHET_CONFIG')!.value).toBe('/etc/guichet/guichet.yaml');
    const mount = c.volumeMounts.find((m: { name: string }) => m.name === 'config');
    expect(mount.mountPath).toBe('/etc/guichet');
    const vol = dep.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'config');
    expect(vol.configMap.name).toBe(rendered['configmap.yaml'].metadata.name);

    const svc = rendered['service.yaml'];
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    const hpa = rendered['hpa.yaml'];
    expect(hpa).toMatchObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' });
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: dep.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it('systemd: bare server, hardened, only variables Guichet reads', () => {
    const unit = readFileSync(join(DEPLOY, 'systemd', 'guichet.service'), 'utf8');
    const directives = unit
      .split('\n')
      .filter((l) => /^[A-Za-z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);
    const get = (k: string) => directives.filter(([d]) => d === k).map(([, v]) => v);
    expect(get('DynamicUser')).toEqual(['yes']);
    expect(get('ProtectSystem')).toEqual(['strict']);
    expect(get('StateDirectory')).toEqual(['guichet']);
    expect(get('NoNewPrivileges')).toEqual(['yes']);
    expect(get('ProtectHome')).toEqual(['yes']);
    expect(get('CapabilityBoundingSet')).toEqual(['']);
    expect(get('MemoryDenyWriteExecute')).toEqual([]); // V8 needs it off
    expect(get('ExecStart')[0]).toMatch(/bin\/guichet\.js serve$/);
    const env = new Map(get('Environment').map((e) => e.split('=') as [string, string]));
    expect(env.get('GUICHET_DATA_DIR')).toBe('/var/lib/guichet'); // the StateDirectory
    const config = loadConfigText(readFileSync(join(DEPLOY, 'guichet.yaml'), 'utf8'));
    const known = readVariables(config);
    known.add('NODE_ENV');
    expect([...env.keys()].filter((n) => !known.has(n))).toEqual([]);
  });
});
