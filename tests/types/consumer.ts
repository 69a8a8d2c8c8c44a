// Type-checked (never run) against the installed package by tests/package/types.test.mjs: every
// export a user touches must have precise types, and misuse must fail to compile.
import {
  cacheApiStore,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  memoryStore,
  verifyToken,
  verifyTokenSync,
  workersKVStore,
  type JWKS,
  type JWTPayload,
  type RemoteJWKSetOptions,
  type VerifyOptions,
  type VerifyResult,
} from 'edge-jwt';

declare const token: string;
declare const jwks: JWKS;

const options: VerifyOptions = { issuer: 'https://a', audience: ['x', 'y'], clockTolerance: '30s', currentDate: new Date() };
const local = createLocalJWKSet(jwks);
const remoteOptions: RemoteJWKSetOptions = { cooldownDuration: 1000, store: memoryStore(), initial: jwks };
const remote = createRemoteJWKSet('https://a/api/auth/jwks', remoteOptions);

export async function use(): Promise<string | undefined> {
  const a: VerifyResult = await verifyToken(token, remote, options);
  const b: VerifyResult = verifyTokenSync(token, local);
  const c = await jwtVerify(token, jwks, { secret: new Uint8Array(32) });
  const sub: string | undefined = a.payload.sub;
  const alg: string = b.protectedHeader.alg;
  const exp: number | undefined = c.payload.exp;
  const fresh: boolean = remote.fresh;
  const fetches: number = remote.stats().fetches;
  await remote.reload();
  const size: number = local.size;
  const payload: JWTPayload = c.payload;
  void [alg, exp, fresh, fetches, size, payload, workersKVStore, cacheApiStore];
  try {
    await verifyToken(token, local);
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      const claim: string = err.claim;
      const reason: 'missing' | 'check_failed' | 'invalid' = err.reason;
      void [claim, reason, err.payload.sub];
    }
    if (err instanceof errors.JOSEError) {
      const code: errors.JOSEErrorCode = err.code;
      void code;
    }
  }
  // @ts-expect-error verifyTokenSync takes local keys only
  verifyTokenSync(token, remote);
  // @ts-expect-error clockTolerance is a number or a duration string
  await verifyToken(token, local, { clockTolerance: true });
  return sub;
}
