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
  type CryptoKeyLike,
  type JWKS,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyInput,
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
  // Generic payloads, as jose's jwtVerify<PayloadType>: your claims are typed, the registered ones stay.
  interface MyClaims {
    email: string;
    role: 'admin' | 'user';
  }
  const typed = await verifyToken<MyClaims>(token, remote, options);
  const email: string = typed.payload.email;
  const role: 'admin' | 'user' = typed.payload.role;
  const typedSub: string | undefined = typed.payload.sub;
  const typedSync = verifyTokenSync<MyClaims>(token, local);
  const syncEmail: string = typedSync.payload.email;
  const viaJose = await jwtVerify<MyClaims>(token, new Uint8Array(32));
  const joseEmail: string = viaJose.payload.email;
  void [email, role, typedSub, syncEmail, joseEmail];
  // @ts-expect-error a claim your type does not declare is not a string
  const notDeclared: string = typed.payload.nickname;
  // @ts-expect-error email is a string, not a number
  const wrongType: number = typed.payload.email;
  void [notDeclared, wrongType];

  // jwtVerify takes every key form jose's takes; `key` is in the result when a function resolved it.
  const cryptoKey = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).publicKey;
  const withCryptoKey = await jwtVerify(token, cryptoKey);
  const withJwk = await jwtVerify(token, { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' });
  const withSecret = await jwtVerify(token, new TextEncoder().encode('secret'));
  const getKey: JWTVerifyGetKey = async (header) => (header.kid === 'a' ? cryptoKey : new Uint8Array(32));
  const withFunction = await jwtVerify<MyClaims>(token, getKey);
  const resolved: CryptoKeyLike | Uint8Array = withFunction.key;
  const functionEmail: string = withFunction.payload.email;
  const keyInput: KeyInput = cryptoKey;
  void [withCryptoKey.payload.sub, withJwk.protectedHeader.alg, withSecret.payload, resolved, functionEmail, keyInput];
  // @ts-expect-error no function resolved the key: no `key` in the result
  void withCryptoKey.key;
  // @ts-expect-error a number is no key
  await jwtVerify(token, 42);
  // @ts-expect-error verifyTokenSync takes local keys only
  verifyTokenSync(token, remote);
  // @ts-expect-error clockTolerance is a number or a duration string
  await verifyToken(token, local, { clockTolerance: true });
  return sub;
}
