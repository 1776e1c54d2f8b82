// One action at a time on a page: which one is running (to disable its button and show a
// spinner), and its failure shown as a notice.
import { useCallback, useState } from 'react';
import { describeError } from '../api/api-client.ts';
import { useApp } from './app-context.tsx';

/**
 * `run(key, action, errorPrefix?)` marks `key` busy while `action` runs, shows an error it
 * throws as a notice (after `errorPrefix`, when given), and clears the mark however it ended.
 */
export function useBusyAction(): [busy: string | undefined, run: (key: string, action: () => Promise<void>, errorPrefix?: string) => Promise<void>] {
  const { notify } = useApp();
  const [busy, setBusy] = useState<string | undefined>();
  const run = useCallback(
    async (key: string, action: () => Promise<void>, errorPrefix = '') => {
      setBusy(key);
      try {
        await action();
      } catch (err) {
        notify('error', `${errorPrefix}${describeError(err)}`);
      } finally {
        setBusy(undefined);
      }
    },
    [notify],
  );
  return [busy, run];
}
