// A Cloudflare Worker (ES-module syntax) that runs cases of the shared table (tests/package/cases.mjs)
// through edge-jwt as a Workers project gets it: bundled with the `workerd` export condition, the
// .wasm imported as a compiled module. Bundled and served by ./harness.mjs.
//   GET  /health                 -> 200 "ok"
//   POST /run  {cases, mode}     -> 200 [outcome, ...]  (runCase outcomes, in order; non-finite
//                                   numbers encoded by encodeSpecial so they survive JSON)
import * as lib from 'edge-jwt';
import { encodeSpecial, runCase } from '../package/run-case.mjs';

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/health' && request.method === 'GET') return new Response('ok');
    if (pathname === '/run' && request.method === 'POST') {
      let body;
      try {
        body = await request.json();
      } catch (error) {
        return new Response(`the body is not JSON: ${error}`, { status: 400 });
      }
      const { cases, mode } = body ?? {};
      if (!Array.isArray(cases) || typeof mode !== 'string') {
        return new Response('expected {cases: [...], mode: "..."}', { status: 400 });
      }
      try {
        const outcomes = [];
        for (const c of cases) outcomes.push(encodeSpecial(await runCase(lib, c, mode)));
        return Response.json(outcomes);
      } catch (error) {
        // runCase never throws; this would be a fault of the runner itself.
        return new Response(`runner failure: ${error && error.stack ? error.stack : error}`, { status: 500 });
      }
    }
    return new Response('not found', { status: 404 });
  },
};
