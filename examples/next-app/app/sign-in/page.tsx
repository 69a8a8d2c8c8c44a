import { AuthForm } from '../auth-form';

export default async function SignIn({ searchParams }: { searchParams: Promise<{ callbackURL?: string }> }) {
  const { callbackURL } = await searchParams;
  return (
    <main>
      <h1>Sign in</h1>
      <AuthForm mode="sign-in" callbackURL={callbackURL ?? null} />
      <p>
        No account? <a href="/sign-up">Sign up</a>
      </p>
    </main>
  );
}
