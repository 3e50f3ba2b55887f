import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestCache } from '../../services/coordinator/domain/routing/manifest-cache.js';
import { routeQuestion, scoreDomains, type RoutableDomain } from '../../services/coordinator/domain/routing/route-by-terms.js';
import type { Manifest } from '../../shared/fleet/manifest.js';

// Terms are already analysed (stemmed) as the lexical engine publishes them.
const sea: RoutableDomain = { shard: 'sea', terms: { windows: 100, df: { whale: 40, harpoon: 10, ship: 30, captain: 20, sail: 25 } } };
const law: RoutableDomain = { shard: 'law', terms: { windows: 100, df: { court: 30, treati: 10, senat: 20, captain: 1 } } };
const port: RoutableDomain = { shard: 'port', terms: { windows: 50, df: { ship: 10, harbor: 20, captain: 5 } } };

describe('routeQuestion', () => {
  test('When only one domain uses the question’s words, then only that domain is asked', () => {
    assert.deepEqual(routeQuestion('Which harpoon struck the whale?', [sea, law, port]).shards, ['sea']);
    assert.deepEqual(routeQuestion('What did the Senate say about the treaty?', [sea, law, port]).shards, ['law']);
  });

  test('When two domains each cover the question about as well, then both are asked, best first', () => {
    const decision = routeQuestion('Which ship did the captain sail into the harbor?', [sea, law, port]);
    assert.equal(decision.shards[0], 'port');
    assert.ok(decision.shards.includes('sea'), decision.shards.join(','));
    assert.ok(!decision.shards.includes('law'));
  });

  test('When the question’s words are in no domain, then no domain is asked', () => {
    assert.deepEqual(routeQuestion('How do I reset my router password?', [sea, law, port]).shards, []);
  });

  test('When a domain publishes no statistics, then it is always asked', () => {
    const blind: RoutableDomain = { shard: 'notes' };
    assert.deepEqual(routeQuestion('Which harpoon struck the whale?', [sea, law, blind]).shards, ['sea', 'notes']);
    assert.deepEqual(routeQuestion('router password', [sea, blind]).shards, ['notes']);
  });

  test('When maxShards is 1, then only the best domain is asked', () => {
    assert.deepEqual(routeQuestion('Which ship did the captain sail into the harbor?', [sea, law, port], { maxShards: 1 }).shards, ['port']);
  });

  test('When domains are scored, then coverage is the IDF-weighted share of the question’s terms each holds', () => {
    const [best, , last] = scoreDomains(['whale', 'harpoon', 'court'], [sea, law, port]);
    assert.equal(best?.shard, 'sea');
    assert.ok((best?.coverage ?? 0) > 0.3 && (best?.coverage ?? 0) < 1, String(best?.coverage));
    assert.equal(last?.coverage, 0);
  });
});

describe('ManifestCache', () => {
  test('When manifests are read twice within the TTL, then Redis is read once per shard, and a shard without statistics has no terms', async () => {
    let reads = 0;
    const manifests: Record<string, Manifest> = {
      sea: { shard: 'sea', engine: 'lexical', sources: 1, lines: 1, tokens: 1, topTerms: [], loadedAt: 1, terms: { windows: 1, df: { whale: 1 } } },
      notes: { shard: 'notes', engine: 'noop', sources: 1, lines: 1, tokens: 1, topTerms: [], loadedAt: 1 },
    };
    const cache = new ManifestCache({ manifest: async (shard: string) => (reads++, manifests[shard]) }, 1000);
    const first = await cache.domains(['sea', 'notes'], 0);
    await cache.domains(['sea', 'notes'], 500);
    assert.equal(reads, 2);
    assert.deepEqual(first, [{ shard: 'sea', terms: { windows: 1, df: { whale: 1 } } }, { shard: 'notes' }]);
    await cache.domains(['sea'], 2000);
    assert.equal(reads, 3);
  });
});
