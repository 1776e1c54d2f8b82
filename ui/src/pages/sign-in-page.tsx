import { useState, type FormEvent } from 'react';
import { createApiClient, describeError } from '../api/api-client.ts';
import { Spinner } from '../components/progress.tsx';

/** Asks for the admin token once; it is checked against the API before it is kept. */
export function SignInPage({ onSignedIn, reason }: { onSignedIn: (token: string) => void; reason?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(reason);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError('Enter the admin token.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await createApiClient({ token: t }).get('/flows');
      onSignedIn(t);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={(e) => void submit(e)}>
        <h1>
          <span className="logo" aria-hidden="true" /> flowbridge
        </h1>
        <p>Sign in with the admin token. flowbridge printed it once at its first start, or took it from <code>FLOWBRIDGE_ADMIN_TOKEN</code>.</p>
        <label htmlFor="admin-token">Admin token</label>
        <input id="admin-token" type="password" autoComplete="current-password" autoFocus value={token} onChange={(e) => setToken(e.target.value)} aria-invalid={Boolean(error) || undefined} aria-describedby={error ? 'sign-in-error' : undefined} />
        {error && (
          <p className="field-errors" id="sign-in-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? <Spinner label="Checking…" /> : 'Sign in'}
        </button>
        <p className="muted small">The token is kept in this tab only (session storage) and sent as a bearer token.</p>
      </form>
    </main>
  );
}
