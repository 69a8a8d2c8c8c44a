/**
 * edge-jwt/hono: the Hono middleware gate. Under construction.
 *
 * @module
 */
export {};
