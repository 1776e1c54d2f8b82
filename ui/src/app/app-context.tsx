// What every screen needs: the API client, the node catalog, and a way to tell the user
// something (a notice that stays until read, or fades when it is good news).
import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/api-client.ts';
import type { EditorCatalog } from '../model/node-catalog.ts';

export type NoticeKind = 'info' | 'success' | 'error';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

export interface AppServices {
  api: ApiClient;
  catalog: EditorCatalog;
  notify(kind: NoticeKind, text: string): void;
  signOut(): void;
}

export const AppContext = createContext<AppServices | undefined>(undefined);

export function useApp(): AppServices {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp must be used inside the signed-in app');
  return app;
}
