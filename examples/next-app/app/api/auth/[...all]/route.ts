// Better Auth's routes: sign-up, sign-in, sign-out, get-session, token, jwks, ... (public in the gate).
import { toNextJsHandler } from 'better-auth/next-js';
import { auth } from '@/lib/auth';

export const { GET, POST } = toNextJsHandler(auth);
