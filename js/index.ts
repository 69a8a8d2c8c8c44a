/**
 * edge-jwt: verify JWTs (Better Auth's and anyone's) with jose's rules, in WebAssembly, in every
 * runtime. Runtime entries (`js/entry/*.ts`) re-export this module after telling it how to load the
 * WebAssembly module.
 *
 * @module
 */
export { verifyToken, verifyTokenSync, jwtVerify, type KeysInput, type LocalKeysInput, type JwtVerifyKey } from './verify.js';
export { createLocalJWKSet, LocalKeySet } from './keys.js';
export {
  createRemoteJWKSet,
  RemoteKeySet,
  type RemoteJWKSetOptions,
  type RemoteJWKSetStats,
  type CachedJWKS,
  type JWKSStore,
} from './remote.js';
export { memoryStore, workersKVStore, cacheApiStore, type KVNamespaceLike, type CacheLike } from './stores.js';
export { verifySessionCookie, type SessionCookieOptions, type SessionResult } from './session.js';
export * as errors from './errors.js';
export type {
  JWTPayload,
  JWSHeader,
  JWK,
  JWKS,
  VerifyOptions,
  VerifyResult,
  JsonValue,
  KeyInput,
  CryptoKeyLike,
  KeyObjectLike,
  FlattenedJWSInput,
  JWTVerifyGetKey,
  ResolvedKey,
} from './types.js';
