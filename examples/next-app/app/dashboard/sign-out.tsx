'use client';
import { authClient } from '@/lib/auth-client';

export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={async () => {
        await authClient.signOut();
        // Reload this protected page: without a session the gate sends it to the sign-in page.
        window.location.assign('/dashboard');
      }}
    >
      Sign out
    </button>
  );
}
