/** Signed envelopes between coordinator and shards (DESIGN.md, "Envelope"). */
export { type Keyring, KID_PATTERN, MIN_SECRET_BYTES, parseKeyring, generateKeyring } from './keyring.js';
export { type Envelope, ENVELOPE_VERSION, EnvelopeSchema, signEnvelope } from './envelope.js';
export {
  type RejectReason,
  type VerifyResult,
  type VerifyOptions,
  DEFAULT_MAX_BODY_BYTES,
  verifyEnvelope,
} from './verify.js';
export { type NonceCache, type RedisNonceCacheOptions, RedisNonceCache, MemoryNonceCache } from './nonce-cache.js';
export { type StoredVerifyResult, verifyStoredEnvelope } from './verify-stored.js';
