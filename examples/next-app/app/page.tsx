// Public: listed in publicPaths. The gate still removes any claims header a client sends.
import { getVerifiedClaims } from 'edge-jwt/next';

export default async function Home() {
  const auth = await getVerifiedClaims();
  return (
    <main>
      <h1>edge-jwt + Better Auth on Next.js</h1>
      <p>
        The <a href="/dashboard">dashboard</a> and <code>/api/me</code> are gated by <code>authProxy</code>: a
        Better Auth session cookie or a Bearer token, verified in WebAssembly without a database call.
      </p>
      <p id="home-claims">{auth === null ? 'No verified claims on this public page.' : 'Unexpected: claims on a public page.'}</p>
    </main>
  );
}
