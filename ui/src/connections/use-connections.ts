import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/api-client.ts';
import type { ConnectionsResponse } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';

/** The stored connections; `unavailable` when this server has no connections API. */
export function useConnections(): { data: ConnectionsResponse | undefined; error: unknown; unavailable: boolean; reload: () => void } {
  const { api } = useApp();
  const [data, setData] = useState<ConnectionsResponse | undefined>();
  const [error, setError] = useState<unknown>();
  const reload = useCallback(() => {
    api
      .get<ConnectionsResponse>('/connections')
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch(setError);
  }, [api]);
  useEffect(reload, [reload]);
  const unavailable = error instanceof ApiError && error.code === 'ERR_ROUTE_NOT_FOUND';
  return { data, error, unavailable, reload };
}
