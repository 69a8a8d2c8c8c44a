// Protected: the gate let this request through only with a verified session cookie or Bearer token,
// and passed what it verified in a request header no client can forge.
import { redirect } from 'next/navigation';
import { getVerifiedClaims } from 'edge-jwt/next';
import { SignOutButton } from './sign-out';

interface UserClaims {
  email?: string;
  name?: string;
  [claim: string]: unknown;
}

export default async function Dashboard() {
  const auth = await getVerifiedClaims<UserClaims>();
  if (auth === null) redirect('/sign-in?callbackURL=/dashboard'); // unreachable while the gate runs
  return (
    <main>
      <h1>Dashboard</h1>
      <p>
        Signed in as <strong id="user-name">{auth.claims.name}</strong> (<span id="user-email">{auth.claims.email}</span>)
      </p>
      <p>
        User id <code id="user-id">{auth.sub}</code>, verified from the <span id="auth-source">{auth.source}</span>
        {auth.source === 'cookie' ? ' (Better Auth session cookie)' : ' (Bearer token)'}.
      </p>
      <SignOutButton />
    </main>
  );
}
