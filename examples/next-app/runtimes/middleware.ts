// The gate on the edge runtime (middleware.ts, as on Vercel's edge). `npm run use:edge` copies this
// file to the app's root as middleware.ts (and removes proxy.ts). The edge-light entry of edge-jwt
// imports its WebAssembly as a precompiled module: nothing is compiled from bytes.
import { authProxy } from 'edge-jwt/next';
import { gateOptions } from '@/lib/gate-options';

export const middleware = authProxy(gateOptions);

// Every path except Next's build output; the gate decides what is public.
export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
