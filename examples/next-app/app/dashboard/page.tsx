// Protected: the gate let this request through only with a verified session cookie or Bearer token,
// and passed what it verified in a request header no client can forge. The claims are read inside
// <Suspense>, the form Next 16 needs when `cacheComponents` is on (create-next-app's default): a
// page that reads request headers outside of it does not build there.
import { Suspense } from 'react';
import { redirect } from 'next/navigation';
import { getVerifiedClaims } from 'edge-jwt/next';
import { SignOutButton } from './sign-out';

interface UserClaims {
  email?: string;
  name?: string;
  [claim: string]: unknown;
}

export default function Dashboard() {
  return (
    <main>
      <h1>Dashboard</h1>
      <Suspense fallback={<p>Loading…</p>}>
        <SignedInUser />
      </Suspense>
      <SignOutButton />
    </main>
  );
}

async function SignedInUser() {
  const auth = await getVerifiedClaims<UserClaims>();
  if (auth === null) redirect('/sign-in?callbackURL=/dashboard'); // unreachable while the gate runs
  return (
    <>
      <p>
        Signed in as <strong id="user-name">{auth.claims.name}</strong> (<span id="user-email">{auth.claims.email}</span>)
      </p>
      <p>
        User id <code id="user-id">{auth.sub}</code>, verified from the <span id="auth-source">{auth.source}</span>
        {auth.source === 'cookie' ? ' (Better Auth session cookie)' : ' (Bearer token)'}.
      </p>
    </>
  );
}
