/**
 * docs/api.md against shared/api: every route the page documents is in
 * API_ROUTES (and every route there is documented), every field of every JSON
 * example and every field a bullet documents exists in that route's schemas,
 * and every example parses with them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { API_ROUTES, type ApiRoute } from '../../shared/api/routes.js';
import { REPO_ROOT } from '../helpers/fleet-processes.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs', 'api.md'), 'utf8');
const ROUTE_MENTION = /`(GET|POST|PUT|DELETE) (\/[^`?\s]*)/g;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas a value at `path` may have under `schema` (several through unions); empty when the path does not exist. */
function resolvePath(schema: z.ZodType, path: readonly string[]): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return resolvePath(def.innerType!, path);
    case 'pipe':
      return resolvePath(def.in!, path);
    case 'union':
      return def.options!.flatMap((o) => resolvePath(o, path));
    case 'array':
      return resolvePath(def.element!, path);
  }
  if (path.length === 0) return [schema];
  if (def.type === 'record') return [schema];
  if (def.type !== 'object') return [];
  const field = def.shape![path[0]!];
  return field ? resolvePath(field, path.slice(1)) : [];
}

/** Every key path in a JSON value (array elements merged). */
function keyPaths(value: unknown, prefix: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((v) => keyPaths(v, prefix));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...keyPaths(v, [...prefix, k])]);
}

interface Section {
  routes: ApiRoute[];
  text: string;
}

/** docs/api.md cut at headings; each section with the routes its heading names. */
function sections(): Section[] {
  const out: Section[] = [];
  for (const part of DOC.split(/^(?=#{2,3} )/m)) {
    const heading = part.split('\n', 1)[0] ?? '';
    const routes = [...heading.matchAll(ROUTE_MENTION)].map(([, method, path]) => API_ROUTES.find((r) => r.method === method && r.path === path));
    out.push({ routes: routes.filter((r): r is ApiRoute => r !== undefined), text: part });
  }
  return out;
}

const schemasOf = (route: ApiRoute, kind: 'request' | 'response'): z.ZodType[] =>
  (kind === 'request' ? [route.body, route.query] : [route.response]).filter((s): s is z.ZodType => s !== undefined);

describe('docs/api.md matches shared/api', () => {
  test('When a route is documented, then API_ROUTES has it, and every route there is documented', () => {
    const documented = new Set([...DOC.matchAll(ROUTE_MENTION)].map(([, method, path]) => `${method} ${path}`));
    const table = new Set(API_ROUTES.map((r) => `${r.method} ${r.path}`));
    assert.deepEqual([...documented].filter((r) => !table.has(r)), [], 'documented but not in shared/api/routes.ts');
    assert.deepEqual([...table].filter((r) => !documented.has(r)), [], 'in shared/api/routes.ts but not documented');
  });

  test('When a JSON example is documented, then it parses with its route schema and has no field the schema lacks', () => {
    let checked = 0;
    for (const { routes, text } of sections()) {
      // The line before the block (blank lines skipped) says whether it is the request.
      for (const match of text.matchAll(/([^\n]*)\n+```json\n([\s\S]*?)```/g)) {
        const [route] = routes;
        assert.ok(route, `a JSON example outside a route section:\n${match[2]}`);
        const kind = /^Request/.test(match[1] ?? '') ? 'request' : 'response';
        const [schema] = schemasOf(route, kind);
        assert.ok(schema, `${route.method} ${route.path} has no ${kind} schema for its example`);
        const example: unknown = JSON.parse(match[2]!);
        const parsed = schema.safeParse(example);
        assert.ok(parsed.success, `${route.method} ${route.path} ${kind} example: ${parsed.error?.message}`);
        for (const path of keyPaths(example)) {
          assert.ok(resolvePath(schema, path).length > 0, `${route.method} ${route.path}: documented field ${path.join('.')} is not in the ${kind} schema`);
        }
        checked++;
      }
    }
    assert.ok(checked >= 5, `expected the examples of the query, shards, sources and lines routes, checked ${checked}`);
  });

  test('When a bullet documents a field, then the route schemas have it', () => {
    let checked = 0;
    for (const { routes, text } of sections()) {
      if (routes.length !== 1) continue;
      const route = routes[0]!;
      for (const [, name] of text.matchAll(/^- `([A-Za-z][\w.[\]]*)`/gm)) {
        const path = name!.replace(/\[\]/g, '').split('.');
        const found = [...schemasOf(route, 'request'), ...schemasOf(route, 'response')].some((s) => resolvePath(s, path).length > 0);
        assert.ok(found, `${route.method} ${route.path}: the documented field ${name} is in no schema of shared/api`);
        checked++;
      }
    }
    assert.ok(checked >= 10, `expected the query's and the lines' fields, checked ${checked}`);
  });

  test('When a schema lacks a documented field, then this check finds it', () => {
    const route = API_ROUTES.find((r) => r.path === '/v1/shards')!;
    assert.equal(resolvePath(route.response!, ['p50Samples']).length, 1);
    assert.equal(resolvePath(route.response!, ['queue', 'waiting']).length, 1);
    assert.equal(resolvePath(route.response!, ['p99Ms']).length, 0);
    assert.deepEqual(keyPaths({ a: [{ b: 1 }], c: null }), [['a'], ['a', 'b'], ['c']]);
  });
});
