/** Signed envelopes between coordinator and shards (DESIGN.md, "Envelope"), and the keys they are signed with. */
export { type Keyring, KID_PATTERN, MIN_SECRET_BYTES, parseKeyring, generateKeyring, keyringFromEntries, formatKeyring } from './keyring.js';
export { type Envelope, ENVELOPE_VERSION, EnvelopeSchema, signEnvelope } from './envelope.js';
export {
  type BodyCheck,
  type RejectReason,
  type VerifyResult,
  type VerifyOptions,
  DEFAULT_MAX_BODY_BYTES,
  verifyEnvelope,
} from './verify.js';
export { type NonceCache, type RedisNonceCacheOptions, RedisNonceCache, MemoryNonceCache } from './nonce-cache.js';
export {
  type DomainKeys,
  type KeyPurpose,
  type MasterKeys,
  DERIVED_KEY_BYTES,
  DomainKeyCache,
  RECORD_KEY_INFO,
  deriveDomainKeyring,
  deriveDomainKeys,
  deriveKeyring,
  deriveRecordKeyring,
  derivationInfo,
} from './domain-keys.js';
export { type UnsealFailure, type UnsealResult, MAX_SEALED_BODY_BYTES, sealRecord, sealRecordCompressed, unsealRecord } from './sealed-record.js';
export { type StoredVerifyResult, verifyStoredEnvelope } from './verify-stored.js';
