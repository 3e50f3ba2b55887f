/**
 * The supported Node.js lines (README "Supported Node.js versions") agree everywhere:
 * package.json `engines`, every installed dependency's own `engines` (npm warns EBADENGINE
 * on install otherwise), the image's base (deploy/Dockerfile NODE_IMAGE) and the lines
 * .ci/run tests (the oldest from `engines`, the newest from NODE_IMAGE).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import semver from 'semver';
import { REPO_ROOT } from '../helpers/fleet-processes.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
const range = pkg.engines.node;
const imageMajor = Number(readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8').match(/^ARG NODE_IMAGE=node:(\d+)-/m)?.[1]);

describe('supported Node.js lines', () => {
  test('When engines is read, then it admits the maintained LTS lines 22, 24 and 26 and nothing end-of-life or odd', () => {
    for (const ok of ['22.13.0', '22.23.5', '24.0.0', '24.11.1', '26.0.0', '26.12.1']) assert.ok(semver.satisfies(ok, range), `${ok} should be supported by "${range}"`);
    for (const no of ['18.20.0', '20.20.2', '22.12.0', '23.11.0', '25.2.0']) assert.ok(!semver.satisfies(no, range), `${no} should not be supported by "${range}"`);
  });

  test('When npm installs on a supported line, then no dependency asks for a newer Node (no EBADENGINE)', () => {
    const conflicts = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, entry]) => {
        const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return wanted && !semver.subset(range, wanted) ? [`${path.replace(/^node_modules\//, '')} needs node "${wanted}"`] : [];
      });
    assert.deepEqual(conflicts, [], `raise engines.node ("${range}") rather than pin old releases`);
  });

  test('When CI picks its lines, then the oldest is the lowest line engines admits and the newest is the image\'s, which engines admits', () => {
    const oldest = Number(range.match(/\d+/)?.[0]);
    assert.equal(oldest, semver.minVersion(range)?.major, '.ci/run reads the first number of engines.node as the oldest line');
    assert.equal(imageMajor, 26, 'the image runs the active LTS line');
    assert.ok(semver.satisfies(`${imageMajor}.0.0`, range));
    assert.ok(imageMajor > oldest);
  });
});
