// Protected API: answers the claims the gate verified (401 from the gate otherwise).
import { verifiedClaims } from 'edge-jwt/next';

export function GET(request: Request) {
  const auth = verifiedClaims(request);
  if (auth === null) return Response.json({ error: 'missing_token' }, { status: 401 }); // unreachable while the gate runs
  return Response.json(auth);
}
