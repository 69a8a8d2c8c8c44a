import type { ReactNode } from 'react';

export const metadata = { title: 'edge-jwt + Better Auth' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 560, margin: '3rem auto', padding: '0 1rem' }}>
        <nav style={{ display: 'flex', gap: '1rem', marginBottom: '2rem' }}>
          <a href="/">Home</a>
          <a href="/dashboard">Dashboard</a>
          <a href="/sign-in">Sign in</a>
          <a href="/sign-up">Sign up</a>
        </nav>
        {children}
      </body>
    </html>
  );
}
