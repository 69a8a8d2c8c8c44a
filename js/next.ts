/**
 * edge-jwt/next: the Next.js gate (API.md section 6). Under construction.
 *
 * @module
 */
export {};
