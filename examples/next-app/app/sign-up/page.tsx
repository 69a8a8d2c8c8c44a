import { AuthForm } from '../auth-form';

export default async function SignUp({ searchParams }: { searchParams: Promise<{ callbackURL?: string }> }) {
  const { callbackURL } = await searchParams;
  return (
    <main>
      <h1>Sign up</h1>
      <AuthForm mode="sign-up" callbackURL={callbackURL ?? null} />
    </main>
  );
}
