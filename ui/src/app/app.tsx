import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, createApiClient } from '../api/api-client.ts';
import type { ConnectorsResponse } from '../api/api-types.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { Notices } from '../components/notices.tsx';
import { Spinner } from '../components/progress.tsx';
import { buildEditorCatalog, type EditorCatalog } from '../model/node-catalog.ts';
import { ConnectionsPage } from '../pages/connections-page.tsx';
import { DeadLettersPage } from '../pages/dead-letters-page.tsx';
import { FlowEditorPage } from '../flow-editor/flow-editor-page.tsx';
import { FlowsPage } from '../pages/flows-page.tsx';
import { SignInPage } from '../pages/sign-in-page.tsx';
import { AppContext, type AppServices, type Notice, type NoticeKind } from './app-context.tsx';
import { navigate, useRoute } from './route.ts';
import { clearToken, readToken, saveToken } from './session.ts';

export function App() {
  const [token, setToken] = useState(readToken);
  const [signInReason, setSignInReason] = useState<string | undefined>();
  const [catalog, setCatalog] = useState<EditorCatalog | undefined>();
  const [loadError, setLoadError] = useState<unknown>();
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const route = useRoute();

  const signOut = useCallback((reason?: string) => {
    clearToken();
    setToken(undefined);
    setCatalog(undefined);
    setSignInReason(reason);
  }, []);

  const api = useMemo(
    () => (token ? createApiClient({ token, onUnauthorized: () => signOut('The admin token was refused; sign in again.') }) : undefined),
    [token, signOut],
  );

  const notify = useCallback((kind: NoticeKind, text: string) => {
    const id = nextId.current++;
    setNotices((list) => [...list.slice(-4), { id, kind, text }]);
    if (kind !== 'error') setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), 4000);
  }, []);

  const loadCatalog = useCallback(() => {
    if (!api) return;
    setLoadError(undefined);
    api
      .get<ConnectorsResponse>('/connectors')
      .then((res) => setCatalog(buildEditorCatalog(res)))
      .catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) setLoadError(err);
      });
  }, [api]);

  useEffect(loadCatalog, [loadCatalog]);

  const services = useMemo<AppServices | undefined>(
    () => (api && catalog ? { api, catalog, notify, signOut: () => signOut() } : undefined),
    [api, catalog, notify, signOut],
  );

  if (!token || !api) {
    return (
      <SignInPage
        reason={signInReason}
        onSignedIn={(t) => {
          saveToken(t);
          setSignInReason(undefined);
          setToken(t);
        }}
      />
    );
  }
  if (!services) {
    return (
      <main className="loading-screen">
        {loadError ? <ErrorBox title="The editor could not load the node catalog" error={loadError} onRetry={loadCatalog} /> : <Spinner label="Loading flowbridge…" />}
      </main>
    );
  }

  return (
    <AppContext.Provider value={services}>
      <div className="app">
        <header className="topbar">
          <a
            className="brand"
            href="/"
            onClick={(e) => {
              e.preventDefault();
              navigate('/');
            }}
          >
            <span className="logo" aria-hidden="true" /> flowbridge
          </a>
          <nav className="topnav" aria-label="Main">
            <NavLink to="/" active={route.page === 'flows' || route.page === 'flow'}>
              Flows
            </NavLink>
            <NavLink to="/dead-letters" active={route.page === 'dead-letters'}>
              Dead letters
            </NavLink>
            <NavLink to="/connections" active={route.page === 'connections'}>
              Connections
            </NavLink>
          </nav>
          <button type="button" className="ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </header>
        <div className="page">
          {route.page === 'flows' && <FlowsPage />}
          {route.page === 'flow' && <FlowEditorPage key={route.id} flowId={route.id} />}
          {route.page === 'dead-letters' && <DeadLettersPage flowId={route.flowId} />}
          {route.page === 'connections' && <ConnectionsPage />}
          {route.page === 'not-found' && (
            <main className="empty-state">
              <h1>Nothing here</h1>
              <p>
                There is no page at <code>{route.path}</code>.{' '}
                <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
                  Go to the flows
                </a>
              </p>
            </main>
          )}
        </div>
        <Notices notices={notices} onDismiss={(id) => setNotices((list) => list.filter((n) => n.id !== id))} />
      </div>
    </AppContext.Provider>
  );
}

function NavLink({ to, active, children }: { to: string; active: boolean; children: string }) {
  return (
    <a
      href={to}
      aria-current={active ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
