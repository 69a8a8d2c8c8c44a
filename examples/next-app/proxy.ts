// The gate on the Node.js runtime (Next 16 proxy.ts). `npm run use:node` copies this file to the
// app's root as proxy.ts (and removes middleware.ts).
import { authProxy } from 'edge-jwt/next';
import { gateOptions } from '@/lib/gate-options';

export const proxy = authProxy(gateOptions);

// Every path except Next's build output; the gate decides what is public.
export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
