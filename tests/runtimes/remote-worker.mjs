// A Cloudflare Worker (ES-module syntax) holding ONE module-level remote key set, as a real Worker
// would: every request to the isolate shares it. Bundled with the `workerd` condition and served by
// tests/package/remote-workerd.test.mjs, which gives it these text bindings:
//   JWKS_URL     the key set URL (a JWKS server on 127.0.0.1 run by the test)
//   COOLDOWN_MS  cooldownDuration
//   TIMEOUT_MS   timeoutDuration
// Routes:
//   GET /health                         -> "ok" (does not touch the key set)
//   GET /verify  Authorization: Bearer  -> {ok: true, sub, kid} | {ok: false, code, message}
//   GET /state                          -> {created, stats, fresh, coolingDown, reloading, kids}
import { createRemoteJWKSet, verifyToken } from 'edge-jwt';

let jwks; // created on first use, then shared by every request of this isolate
let created = 0;

function keySet(env) {
  if (jwks === undefined) {
    jwks = createRemoteJWKSet(env.JWKS_URL, {
      cooldownDuration: Number(env.COOLDOWN_MS),
      timeoutDuration: Number(env.TIMEOUT_MS),
    });
    created += 1;
  }
  return jwks;
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/health') return new Response('ok');
    if (pathname === '/verify') {
      const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      try {
        const { payload, protectedHeader } = await verifyToken(token, keySet(env));
        return Response.json({ ok: true, sub: payload.sub, kid: protectedHeader.kid });
      } catch (error) {
        return Response.json({ ok: false, code: error?.code ?? null, message: String(error?.message ?? error) });
      }
    }
    if (pathname === '/state') {
      const set = keySet(env);
      return Response.json({
        created,
        stats: set.stats(),
        fresh: set.fresh,
        coolingDown: set.coolingDown,
        reloading: set.reloading,
        kids: set.jwks()?.keys.map((k) => k.kid) ?? null,
      });
    }
    return new Response('not found', { status: 404 });
  },
};
