// The admin token lives in sessionStorage: asked once per browser tab session, gone when
// the tab closes, never in a URL or a cookie the server would have to guard.
const TOKEN_KEY = 'flowbridge.adminToken';

export function readToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
