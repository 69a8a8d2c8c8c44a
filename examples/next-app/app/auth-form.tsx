'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { authClient, safeCallback } from '@/lib/auth-client';

export function AuthForm({ mode, callbackURL }: { mode: 'sign-in' | 'sign-up'; callbackURL: string | null }) {
  const target = safeCallback(callbackURL);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Sent here with a live session but no session cookie cache (it lasts 5 minutes)? Asking Better
  // Auth for the session renews the cache cookie; then go back. At most once per 10 seconds, so a
  // gate that keeps refusing the cookie cannot cause a loop.
  useEffect(() => {
    if (mode !== 'sign-in') return;
    const last = Number(sessionStorage.getItem('renewed-at') ?? 0);
    if (Date.now() - last < 10_000) return;
    void authClient.getSession().then(({ data }) => {
      if (data === null) return;
      sessionStorage.setItem('renewed-at', String(Date.now()));
      window.location.assign(target);
    });
  }, [mode, target]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    const { error } =
      mode === 'sign-up'
        ? await authClient.signUp.email({ email, password, name: String(form.get('name')) })
        : await authClient.signIn.email({ email, password });
    setBusy(false);
    if (error) {
      setError(error.message ?? 'failed');
      return;
    }
    // A full navigation: the next request carries the new cookies through the gate.
    window.location.assign(target);
  }

  return (
    <form onSubmit={submit} style={{ display: 'grid', gap: '0.75rem', maxWidth: 320 }}>
      {mode === 'sign-up' && (
        <label>
          Name <input id="name" name="name" required autoComplete="name" />
        </label>
      )}
      <label>
        Email <input id="email" name="email" type="email" required autoComplete="email" />
      </label>
      <label>
        Password <input id="password" name="password" type="password" required minLength={8} autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'} />
      </label>
      <button type="submit" disabled={busy}>{mode === 'sign-up' ? 'Create account' : 'Sign in'}</button>
      {error !== null && <p role="alert">{error}</p>}
    </form>
  );
}
