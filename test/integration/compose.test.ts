/**
 * The deployment files agree with each other and with the code: docker-compose.yml,
 * deploy/Dockerfile, deploy/prometheus, deploy/grafana and .env.example.
 *
 * Read statically (no Docker engine needed). `docker compose config` and
 * `promtool check` run as well when those binaries are installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { DOMAIN_NAMES } from '../../scripts/demo/config.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
// `<<` merge keys (x-shard, x-memfleet) are YAML 1.1; compose resolves them, so must we.
const readYaml = (path: string): any => parse(read(path), { merge: true });

type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: { path: string; required: boolean }[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  container_name?: string;
};

const compose = readYaml('docker-compose.yml') as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const shardServices = DOMAIN_NAMES.map((domain) => ({ domain, name: `shard-${domain}` }));
const dockerfile = read('deploy/Dockerfile');
const prometheusConfig = readYaml('deploy/prometheus/prometheus.yml');
const dashboard = JSON.parse(read('deploy/grafana/dashboards/memfleet.json'));

/** `host:container[:ro]` → the container path a repository folder is mounted at. */
function mountTarget(service: Service, hostPath: string): string | undefined {
  for (const volume of service.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (source === hostPath || source === `./${hostPath}`) return target;
  }
  return undefined;
}

function builtFromOurDockerfile(service: Service): boolean {
  return service.build?.dockerfile === 'deploy/Dockerfile';
}

/** Stages of a Dockerfile, each with its instructions (continuation lines joined). */
function dockerStages(text: string): { from: string; lines: string[] }[] {
  const stages: { from: string; lines: string[] }[] = [];
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const line of joined) {
    if (/^FROM\s/i.test(line)) stages.push({ from: line, lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** Every environment variable name listed in a `*_VARS` array anywhere in services/ and shared/ (tests excluded). */
function configVars(): Map<string, string> {
  const files = ['services', 'shared'].flatMap((top) =>
    (readdirSync(join(ROOT, top), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => `${top}/${f}`),
  );
  const vars = new Map<string, string>();
  for (const file of files) {
    for (const match of read(file).matchAll(/\b(\w+_VARS)\s*=\s*\[([\s\S]*?)\]/g)) {
      for (const name of (match[2] ?? '').matchAll(/['"]([A-Z][A-Z0-9_]*)['"]/g)) vars.set(name[1] as string, `${file} ${match[1]}`);
    }
  }
  return vars;
}

/** Every `expr` of every panel target, rows included. */
function dashboardTargets(): { panel: string; expr: string; datasourceUid: string | undefined }[] {
  const out: { panel: string; expr: string; datasourceUid: string | undefined }[] = [];
  const visit = (panels: any[]) => {
    for (const panel of panels) {
      for (const t of panel.targets ?? []) out.push({ panel: panel.title, expr: t.expr, datasourceUid: t.datasource?.uid ?? panel.datasource?.uid });
      if (panel.panels) visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

async function findCompose(): Promise<{ bin: string; args: string[] } | undefined> {
  // Compose v1 (docker-compose 1.x, Debian's package) predates env_file `required`: only v2 can judge this file.
  for (const candidate of [{ bin: 'docker', args: ['compose'] }, { bin: 'docker-compose', args: [] }]) {
    try {
      const { stdout } = await run(candidate.bin, [...candidate.args, 'version', '--short'], { timeout: 10_000 });
      const [major, minor] = stdout.trim().replace(/^v/, '').split('.').map(Number);
      if (major !== undefined && minor !== undefined && (major > 2 || (major === 2 && minor >= 24))) return candidate;
    } catch {
      // not installed, or not a compose v2
    }
  }
  return undefined;
}

async function hasBinary(name: string): Promise<boolean> {
  try {
    await run(name, ['--version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

describe('docker-compose.yml', () => {
  test('When the fleet is composed, then it has redis, the coordinator, prometheus, grafana and one shard service per demo domain', () => {
    for (const name of ['redis', 'coordinator', 'prometheus', 'grafana', ...shardServices.map((s) => s.name)]) {
      assert.ok(services[name], `service ${name} is missing`);
    }
    const extraShards = Object.keys(services).filter((n) => n.startsWith('shard-') && !shardServices.some((s) => s.name === n));
    assert.deepEqual(extraShards, [], 'shard services without a demo domain (scripts/demo/config.ts DOMAIN_NAMES)');
  });

  test('When a service runs, then a healthcheck watches it (compose healthcheck, or the image HEALTHCHECK for ours)', () => {
    assert.match(dockerfile, /^HEALTHCHECK\s/m, 'deploy/Dockerfile needs a HEALTHCHECK');
    for (const [name, service] of Object.entries(services)) {
      const covered = service.healthcheck?.test !== undefined || builtFromOurDockerfile(service);
      assert.ok(covered, `${name} has no healthcheck`);
    }
  });

  test('When a shard service is scaled, then nothing pins it to one container: no container_name, no host ports', () => {
    for (const { domain, name } of shardServices) {
      const shard = services[name] as Service;
      assert.equal(shard.container_name, undefined, `${name} has a container_name`);
      assert.equal(shard.ports, undefined, `${name} publishes ports`);
      assert.ok(builtFromOurDockerfile(shard), `${name} should run the memfleet image`);
      assert.deepEqual(shard.command, ['shard']);
      assert.equal(shard.environment?.SHARD_DOMAIN, domain);
      assert.equal(shard.environment?.CONTEXTS_DIR, '/app/contexts');
      assert.deepEqual(shard.volumes, ['${CONTEXTS_HOST_DIR:-demo-contexts}:/app/contexts:ro'], `${name} mounts its contexts read-only`);
      assert.equal(shard.environment?.HOST, '0.0.0.0');
      assert.equal(String(shard.environment?.METRICS_PORT), '9464');
      assert.equal(shard.depends_on?.redis?.condition, 'service_healthy');
    }
    assert.match(read('docker-compose.yml'), /^x-shard: &shard$/m, 'shards share one definition (x-shard anchor)');
  });

  test('When the coordinator starts, then it listens on 0.0.0.0:8080, publishes it on the .env port (default 8080) and waits for a healthy Redis', () => {
    const coordinator = services.coordinator as Service;
    assert.ok(builtFromOurDockerfile(coordinator));
    assert.deepEqual(coordinator.command, ['coordinator']);
    assert.equal(coordinator.environment?.HOST, '0.0.0.0');
    assert.equal(String(coordinator.environment?.PORT), '8080');
    assert.deepEqual(coordinator.ports, ['127.0.0.1:${MEMFLEET_HTTP_PORT:-8080}:8080']);
    assert.equal(coordinator.depends_on?.redis?.condition, 'service_healthy');
  });

  test('When .env sets MEMFLEET_HTTP_PORT, PROMETHEUS_PORT or GRAFANA_PORT, then the host ports follow (on 127.0.0.1), and .env.example documents them', () => {
    assert.deepEqual((services.prometheus as Service).ports, ['127.0.0.1:${PROMETHEUS_PORT:-9090}:9090']);
    assert.deepEqual((services.grafana as Service).ports, ['127.0.0.1:${GRAFANA_PORT:-3000}:3000']);
    const example = read('.env.example');
    for (const [name, port] of [['MEMFLEET_HTTP_PORT', 8080], ['PROMETHEUS_PORT', 9090], ['GRAFANA_PORT', 3000], ['CONTEXTS_HOST_DIR', undefined]] as const) {
      assert.match(example, new RegExp(`^# ${name}=${port ?? ''}`, 'm'), `.env.example documents ${name}`);
    }
    assert.ok(compose.volumes && 'demo-contexts' in compose.volumes, 'demo-contexts is a named volume (filled from the image)');
  });

  test('When secrets are needed, then they come from a required .env file, never from the compose file', () => {
    for (const name of ['coordinator', ...shardServices.map((s) => s.name)]) {
      const service = services[name] as Service;
      assert.deepEqual(service.env_file, [{ path: '.env', required: true }], `${name} env_file`);
      for (const secret of ['MEMFLEET_HMAC_KEYS', 'MEMFLEET_SHARD_HMAC_KEYS', 'MEMFLEET_API_TOKEN', 'ANTHROPIC_API_KEY']) {
        assert.equal(service.environment?.[secret], undefined, `${name} sets ${secret} in docker-compose.yml`);
      }
    }
    const grafanaEnv = (services.grafana as Service).environment ?? {};
    assert.match(String(grafanaEnv.GF_SECURITY_ADMIN_PASSWORD), /^\$\{GRAFANA_ADMIN_PASSWORD:\?/, 'Grafana admin password must come from .env');
  });

  test('When Redis holds the queues, then it persists them (appendonly, a named volume) and never evicts them', () => {
    const redis = services.redis as Service;
    assert.match(String(redis.image), /^redis:7/);
    const command = (redis.command ?? []).join(' ');
    assert.match(command, /--appendonly yes/);
    assert.match(command, /--maxmemory-policy noeviction/);
    const dataVolume = (redis.volumes ?? []).find((v) => v.endsWith(':/data'));
    assert.ok(dataVolume, 'redis needs a volume on /data');
    const volumeName = dataVolume.split(':')[0] as string;
    assert.ok(compose.volumes && volumeName in compose.volumes, `${volumeName} should be a named volume`);
    assert.deepEqual(redis.healthcheck?.test, ['CMD', 'redis-cli', 'ping']);
  });

  test('When Docker Compose v2 is installed, then `docker compose config` accepts the file', async (t) => {
    const composeCli = await findCompose();
    if (!composeCli) {
      t.skip('no Docker Compose v2.24+ installed');
      return;
    }
    // A throwaway project dir: the real .env may not exist, and must not be read.
    const dir = mkdtempSync(join(tmpdir(), 'memfleet-compose-'));
    try {
      writeFileSync(join(dir, 'docker-compose.yml'), read('docker-compose.yml'));
      const env = read('.env.example')
        .replace(/^MEMFLEET_HMAC_KEYS=$/m, `MEMFLEET_HMAC_KEYS=q1:${'a'.repeat(64)}`)
        .replace(/^MEMFLEET_SHARD_HMAC_KEYS=$/m, `MEMFLEET_SHARD_HMAC_KEYS=r1:${'b'.repeat(64)}`)
        .replace(/^GRAFANA_ADMIN_PASSWORD=$/m, 'GRAFANA_ADMIN_PASSWORD=test-password');
      writeFileSync(join(dir, '.env'), env);
      await run(composeCli.bin, [...composeCli.args, '-f', join(dir, 'docker-compose.yml'), 'config', '-q'], { cwd: dir, timeout: 60_000 });
      type Resolved = { services: Record<string, { ports?: { published: string; target: number }[]; volumes?: { type: string; source: string; target: string; read_only?: boolean }[] }> };
      const defaults = JSON.parse((await run(composeCli.bin, [...composeCli.args, '-f', join(dir, 'docker-compose.yml'), 'config', '--format', 'json'], { cwd: dir, timeout: 60_000 })).stdout) as Resolved;
      assert.deepEqual(defaults.services.coordinator?.ports?.map((p) => `${p.published}:${p.target}`), ['8080:8080']);
      for (const { name } of shardServices) {
        const mount = defaults.services[name]?.volumes?.find((v) => v.target === '/app/contexts');
        assert.deepEqual([mount?.type, mount?.source, mount?.read_only], ['volume', 'demo-contexts', true], `${name} mounts the demo volume by default`);
      }
      // With the .env settings, the ports move and every shard mounts the user's folder instead of the demo volume.
      writeFileSync(join(dir, '.env'), `${env}\nMEMFLEET_HTTP_PORT=18080\nPROMETHEUS_PORT=19090\nGRAFANA_PORT=13000\nCONTEXTS_HOST_DIR=/srv/notes\n`);
      const { stdout } = await run(composeCli.bin, [...composeCli.args, '-f', join(dir, 'docker-compose.yml'), 'config', '--format', 'json'], { cwd: dir, timeout: 60_000 });
      const resolved = JSON.parse(stdout) as Resolved;
      const published = (name: string) => resolved.services[name]?.ports?.map((p) => `${p.published}:${p.target}`);
      assert.deepEqual(published('coordinator'), ['18080:8080']);
      assert.deepEqual(published('prometheus'), ['19090:9090']);
      assert.deepEqual(published('grafana'), ['13000:3000']);
      for (const { name } of shardServices) {
        const mount = resolved.services[name]?.volumes?.find((v) => v.target === '/app/contexts');
        assert.deepEqual([mount?.type, mount?.source, mount?.read_only], ['bind', '/srv/notes', true], `${name} mounts CONTEXTS_HOST_DIR`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docs/operations.md "Your own contexts"', () => {
  test('When the documented override and CONTEXTS_HOST_DIR are used, then only the user\'s shard services run, each mounting the folder', async (t) => {
    const composeCli = await findCompose();
    if (!composeCli) {
      t.skip('no Docker Compose v2.24+ installed');
      return;
    }
    const block = read('docs/operations.md').match(/```yaml\n(# docker-compose\.override\.yml[\s\S]*?)```/)?.[1];
    assert.ok(block, 'docs/operations.md shows a docker-compose.override.yml block');
    const dir = mkdtempSync(join(tmpdir(), 'memfleet-compose-own-'));
    try {
      writeFileSync(join(dir, 'docker-compose.yml'), read('docker-compose.yml'));
      writeFileSync(join(dir, 'docker-compose.override.yml'), block);
      writeFileSync(join(dir, '.env'), `MEMFLEET_HMAC_KEYS=q1:${'a'.repeat(64)}\nMEMFLEET_SHARD_HMAC_KEYS=r1:${'b'.repeat(64)}\nGRAFANA_ADMIN_PASSWORD=x\nCONTEXTS_HOST_DIR=/srv/notes\n`);
      const compose = (args: string[]) => run(composeCli.bin, [...composeCli.args, ...args], { cwd: dir, timeout: 60_000 });
      const active = (await compose(['config', '--services'])).stdout.split('\n').filter(Boolean).sort();
      assert.deepEqual(active, ['coordinator', 'grafana', 'prometheus', 'redis', 'shard-architecture', 'shard-runbooks']);
      const resolved = JSON.parse((await compose(['config', '--format', 'json'])).stdout) as {
        services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: { type: string; source: string; target: string; read_only?: boolean }[] }>;
      };
      for (const domain of ['architecture', 'runbooks']) {
        const shard = resolved.services[`shard-${domain}`];
        assert.deepEqual(shard?.command, ['shard']);
        assert.equal(shard?.environment?.SHARD_DOMAIN, domain);
        assert.equal(shard?.environment?.CONTEXTS_DIR, '/app/contexts');
        const mount = shard?.volumes?.find((v) => v.target === '/app/contexts');
        assert.deepEqual([mount?.type, mount?.source, mount?.read_only], ['bind', '/srv/notes', true]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/Dockerfile', () => {
  test('When the image is built, then a build stage compiles and prepares the demo, and the runtime stage has production deps only and runs as non-root', () => {
    const stages = dockerStages(dockerfile);
    assert.ok(stages.length >= 2, 'multi-stage');
    const build = stages.find((s) => /\bAS build\b/i.test(s.from));
    assert.ok(build, 'a stage named build');
    const buildText = build.lines.join('\n');
    assert.match(buildText, /npm ci\b/);
    assert.match(buildText, /npm run build/);
    assert.match(buildText, /npm run demo:prepare/);

    const runtime = stages.at(-1)!;
    const runtimeText = runtime.lines.join('\n');
    assert.match(runtime.from, /NODE_IMAGE/);
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:26-bookworm-slim$/m, 'the image runs Node.js 26, the active LTS line');
    assert.doesNotMatch(dockerfile, /^#\s*syntax=/m, 'a # syntax= line makes BuildKit fetch a frontend image: no offline builds');
    assert.doesNotMatch(runtimeText, /npm ci(?! --omit=dev)/, 'the runtime stage installs no dev dependencies');
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(runtimeText, /COPY --from=build \/app\/dist/);
    assert.match(runtimeText, /COPY --from=build \/app\/demo\/contexts \.\/contexts/);
    assert.match(runtimeText, /CONTEXTS_DIR=\/app\/contexts/);
    const users = runtime.lines.filter((l) => /^USER\s/i.test(l));
    assert.ok(users.length > 0, 'runtime stage sets USER');
    assert.doesNotMatch(users.at(-1) as string, /^USER\s+(root|0)(\s|:|$)/i);
    assert.ok(runtime.lines.some((l) => l === 'ENTRYPOINT ["node", "dist/services/cli/main.js"]' || l === 'ENTRYPOINT ["node","dist/services/cli/main.js"]'));
    assert.ok(runtime.lines.some((l) => /^CMD \[\s*"coordinator"\s*\]$/.test(l)));
    const healthcheck = runtime.lines.find((l) => l.startsWith('HEALTHCHECK'));
    assert.ok(healthcheck?.includes('deploy/healthcheck.mjs'));
    assert.ok(existsSync(join(ROOT, 'deploy', 'healthcheck.mjs')));
  });

  test('When the build context is sent, then .dockerignore keeps secrets, dependencies and build output out', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.env', 'node_modules', 'dist', '.git', 'demo/contexts']) assert.ok(ignored.includes(entry), `.dockerignore should list ${entry}`);
    assert.ok(!ignored.includes('deploy') && !ignored.includes('deploy/healthcheck.mjs'), 'the healthcheck script must reach the image');
  });
});

describe('.env.example', () => {
  test('When an operator copies .env.example, then every variable the services read is documented in it and no secret is filled in', () => {
    const example = read('.env.example');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const vars = configVars();
    assert.ok(vars.size > 15, `expected the *_VARS arrays to list the config variables, found ${vars.size}`);
    const missing = [...vars].filter(([name]) => !documented.has(name)).map(([name, where]) => `${name} (${where})`);
    assert.deepEqual(missing, [], 'variables missing from .env.example');
    for (const secret of ['MEMFLEET_HMAC_KEYS', 'MEMFLEET_SHARD_HMAC_KEYS', 'MEMFLEET_API_TOKEN', 'GRAFANA_ADMIN_PASSWORD']) {
      assert.match(example, new RegExp(`^${secret}=$`, 'm'), `${secret} should be listed, uncommented and empty`);
    }
  });
});

describe('deploy/prometheus', () => {
  test('When Prometheus runs in compose, then it scrapes the coordinator and every replica of every shard service through DNS, labelled by shard', () => {
    const prometheus = services.prometheus as Service;
    assert.equal(mountTarget(prometheus, 'deploy/prometheus'), '/etc/prometheus');
    const jobs = prometheusConfig.scrape_configs as any[];
    const coordinatorJob = jobs.find((j) => (j.static_configs ?? []).some((c: any) => c.targets.includes('coordinator:8080')));
    assert.ok(coordinatorJob, 'a job scrapes coordinator:8080');

    const shardJob = jobs.find((j) => j.dns_sd_configs);
    assert.ok(shardJob, 'a job discovers shards through dns_sd_configs');
    assert.equal(shardJob.honor_labels, true, 'shards label their own series with shard=, keep it (no exported_shard)');
    const sd = shardJob.dns_sd_configs[0];
    assert.equal(sd.type, 'A');
    assert.equal(sd.port, 9464);
    assert.deepEqual([...sd.names].sort(), shardServices.map((s) => s.name).sort());

    // Apply the relabel rule the way Prometheus does (anchored regex) to each DNS name.
    const rule = (shardJob.relabel_configs as any[]).find((r) => r.target_label === 'shard');
    assert.ok(rule, 'a relabel rule sets the shard label');
    assert.deepEqual(rule.source_labels, ['__meta_dns_name']);
    for (const { domain, name } of shardServices) {
      const label = name.replace(new RegExp(`^(?:${rule.regex})$`), rule.replacement ?? '$1');
      assert.equal(label, domain);
    }
    assert.ok((prometheusConfig.rule_files as string[]).includes('alerts.yml'));
  });

  test('When promtool is installed, then it accepts the config and the alert rules', async (t) => {
    if (!(await hasBinary('promtool'))) {
      t.skip('promtool not installed (apt-get install prometheus)');
      return;
    }
    await run('promtool', ['check', 'config', join(ROOT, 'deploy/prometheus/prometheus.yml')], { timeout: 60_000 });
    await run('promtool', ['check', 'rules', join(ROOT, 'deploy/prometheus/alerts.yml')], { timeout: 60_000 });
  });

  test('When a rule or panel names a memfleet metric, then the metrics registry defines it', () => {
    const registry = read('shared/metrics/registry.ts');
    const defined = new Set([...registry.matchAll(/name: '(memfleet_\w+)'/g)].map((m) => m[1]));
    const used = new Set<string>();
    const texts = [read('deploy/prometheus/alerts.yml'), ...dashboardTargets().map((t) => t.expr)];
    for (const text of texts) for (const m of text.matchAll(/\bmemfleet_\w+/g)) used.add(m[0].replace(/_(bucket|count|sum)$/, ''));
    const unknown = [...used].filter((name) => !defined.has(name));
    assert.deepEqual(unknown, [], 'metrics not defined in shared/metrics/registry.ts');
    assert.ok(used.size >= 8, `expected the dashboard and rules to cover the fleet's metrics, found ${[...used].join(', ')}`);
  });
});

describe('deploy/grafana', () => {
  test('When Grafana starts, then the provisioned datasource and dashboard folder are the ones compose mounts, with a fixed dashboard uid', () => {
    const grafana = services.grafana as Service;
    assert.equal(mountTarget(grafana, 'deploy/grafana/provisioning'), '/etc/grafana/provisioning');
    const dashboardsDir = mountTarget(grafana, 'deploy/grafana/dashboards');
    assert.ok(dashboardsDir, 'compose mounts deploy/grafana/dashboards');

    const datasources = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources as any[];
    const prometheus = datasources.find((d) => d.type === 'prometheus');
    assert.ok(prometheus?.uid, 'the Prometheus datasource has a fixed uid');
    assert.equal(prometheus.url, 'http://prometheus:9090');

    const providers = readYaml('deploy/grafana/provisioning/dashboards/memfleet.yml').providers as any[];
    assert.ok(providers.some((p) => p.type === 'file' && p.options?.path === dashboardsDir), `a file provider reads ${dashboardsDir}`);

    assert.equal(dashboard.uid, 'memfleet');
    assert.ok(dashboard.schemaVersion >= 36);
    const targets = dashboardTargets();
    assert.ok(targets.length >= 15, `expected the dashboard's panels, found ${targets.length} targets`);
    for (const t of targets) {
      assert.equal(t.datasourceUid, prometheus.uid, `panel "${t.panel}" should use the provisioned datasource`);
      assert.ok(typeof t.expr === 'string' && t.expr.length > 0, `panel "${t.panel}" has a target without expr`);
    }
  });

  test('When someone opens Grafana without logging in, then they can view but not edit; the admin password comes from .env', () => {
    const env = (services.grafana as Service).environment ?? {};
    assert.equal(String(env.GF_AUTH_ANONYMOUS_ENABLED), 'true');
    assert.equal(env.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
    assert.equal((services.grafana as Service).depends_on?.prometheus?.condition, 'service_healthy');
  });
});
