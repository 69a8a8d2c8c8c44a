'use client';
// Better Auth, browser side (same origin as the app).
import { createAuthClient } from 'better-auth/react';

export const authClient = createAuthClient();

/** A callback URL from the query, accepted only as a same-origin path (never "//host" or "/\host"). */
export function safeCallback(value: string | null, fallback = '/dashboard'): string {
  if (value === null || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value;
}
