// A Cloudflare Worker that runs cases of the shared table (tests/package/cases.mjs) through the
// edge-jwt package as wrangler bundles it (the `workerd` export condition, the .wasm imported as a
// compiled module). POST /run {cases, mode} answers [outcome, ...]; GET /health answers "ok";
// POST /compile-bytes tries to compile wasm from bytes, which Workers must refuse.
import * as lib from 'edge-jwt';
import { encodeSpecial, runCase } from '../package/run-case.mjs';

// The smallest valid module: "\0asm" version 1.
const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/health') return new Response('ok');
    if (pathname === '/compile-bytes') {
      try {
        new WebAssembly.Module(EMPTY_WASM);
        return Response.json({ compiled: true });
      } catch (error) {
        return Response.json({ compiled: false, message: String(error && error.message) });
      }
    }
    if (pathname === '/run' && request.method === 'POST') {
      const { cases, mode } = await request.json();
      const outcomes = [];
      for (const c of cases) outcomes.push(encodeSpecial(await runCase(lib, c, mode)));
      return Response.json(outcomes);
    }
    return new Response('not found', { status: 404 });
  },
};
