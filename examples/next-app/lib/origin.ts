// The app's public origin: Better Auth's base URL, and the issuer and audience of its tokens.
// Set BETTER_AUTH_URL in production (https://your.app); it defaults to the dev server's address.
export const origin = new URL(process.env.BETTER_AUTH_URL ?? 'http://localhost:3000').origin;
