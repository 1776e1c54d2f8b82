import { describeError } from '../api/api-client.ts';

/** An error as readable text, with a retry when one makes sense. */
export function ErrorBox({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div className="error-box" role="alert">
      {title && <strong>{title}</strong>}
      <p className="error-text">{describeError(error)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
