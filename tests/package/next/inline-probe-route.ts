// Test-only edge route handler, copied by tests/package/next.test.mjs into the edge build's scratch
// copy of the example as app/api/inline-probe/route.ts. It forces the wrong path on purpose: the
// `inline` entry compiles the WebAssembly from base64 bytes at run time, which the edge forbids. With
// the ban of edge-ban.cjs in place this must fail; that proves the ban would catch the package if
// its edge-light entry compiled bytes too.
import { verifyToken } from 'edge-jwt/inline';

export const runtime = 'edge';

export async function POST(request: Request) {
  const { token, jwks } = (await request.json()) as { token: string; jwks: { keys: object[] } };
  try {
    const { payload } = await verifyToken(token, jwks as never);
    return Response.json({ verified: true, sub: payload.sub });
  } catch (error) {
    return Response.json({ verified: false, name: (error as Error).name, message: String((error as Error).message) });
  }
}
