import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerMatches } from '../../services/coordinator/http/auth.js';

const TOKEN = '3f9c2a7e1b8d4c6f0a5e9b2d7c1f8a4e';

describe('bearerMatches', () => {
  test('When the header carries the token as a Bearer credential, then it matches', () => {
    assert.equal(bearerMatches(`Bearer ${TOKEN}`, TOKEN), true);
  });

  test('When the scheme is written in another case, then it still matches (schemes are case-insensitive)', () => {
    assert.equal(bearerMatches(`bearer ${TOKEN}`, TOKEN), true);
    assert.equal(bearerMatches(`BEARER ${TOKEN}`, TOKEN), true);
  });

  test('When the header has extra spaces around or after the scheme, then it still matches', () => {
    assert.equal(bearerMatches(`  Bearer   ${TOKEN}  `, TOKEN), true);
  });

  test('When the header is missing or empty, then it does not match', () => {
    assert.equal(bearerMatches(undefined, TOKEN), false);
    assert.equal(bearerMatches('', TOKEN), false);
    assert.equal(bearerMatches('Bearer ', TOKEN), false);
    assert.equal(bearerMatches('Bearer', TOKEN), false);
  });

  test('When the token is wrong, then it does not match', () => {
    assert.equal(bearerMatches(`Bearer ${TOKEN.slice(0, -1)}0`, TOKEN), false);
    assert.equal(bearerMatches('Bearer nope', TOKEN), false);
  });

  test('When the token is a prefix or an extension of the real one, then it does not match', () => {
    assert.equal(bearerMatches(`Bearer ${TOKEN.slice(0, 16)}`, TOKEN), false);
    assert.equal(bearerMatches(`Bearer ${TOKEN}x`, TOKEN), false);
    assert.equal(bearerMatches(`Bearer ${TOKEN} ${TOKEN}`, TOKEN), false);
  });

  test('When the token differs only in case, then it does not match (tokens are case-sensitive)', () => {
    assert.equal(bearerMatches(`Bearer ${TOKEN.toUpperCase()}`, TOKEN), false);
  });

  test('When another scheme or the bare token is sent, then it does not match', () => {
    assert.equal(bearerMatches(TOKEN, TOKEN), false);
    assert.equal(bearerMatches(`Basic ${TOKEN}`, TOKEN), false);
    assert.equal(bearerMatches(`Token ${TOKEN}`, TOKEN), false);
    assert.equal(bearerMatches(`XBearer ${TOKEN}`, TOKEN), false);
  });

  test('When the token holds non-ASCII characters, then the exact token matches and a different one of the same length does not', () => {
    const unicode = 'jéton-secret-🐋-0123456789';
    assert.equal(bearerMatches(`Bearer ${unicode}`, unicode), true);
    assert.equal(bearerMatches(`Bearer ${unicode.replace('é', 'e')}`, unicode), false);
  });
});
