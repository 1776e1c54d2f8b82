// The editor's only door to the server: every call carries the admin token, and every
// failure becomes an ApiError with a message a person can read (never raw JSON).

/** An API failure: the server's `{error: {code, message, details}}`, or a network / protocol failure. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown[];

  constructor(code: string, message: string, status: number, details: unknown[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export interface ApiClient {
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  /** DELETE; resolves with the answer's JSON when there is one (204: undefined). */
  del<T = void>(path: string): Promise<T>;
  /** Reads a server-sent-event stream until `signal` aborts; resolves when the stream ends. */
  stream(path: string, onMessage: (event: string, data: unknown) => void, signal: AbortSignal): Promise<void>;
}

export interface ApiClientOptions {
  token: string;
  baseUrl?: string;
  /** Called when the server refuses the token, so the app can ask for it again. */
  onUnauthorized?: () => void;
  fetchImpl?: typeof fetch;
}

function isErrorBody(v: unknown): v is { error: { code: string; message: string; details?: unknown[] } } {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { message?: unknown }).message === 'string';
}

/** Turns a non-2xx response into an ApiError, whatever its body looks like. */
export async function toApiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (isErrorBody(body)) return new ApiError(body.error.code, body.error.message, res.status, Array.isArray(body.error.details) ? body.error.details : []);
  const what = res.status === 502 || res.status === 504 ? 'flowbridge is not reachable through the proxy' : `the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  return new ApiError('ERR_HTTP', `Request failed: ${what}`, res.status);
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl ?? '/api/v1';
  const doFetch = options.fetchImpl ?? fetch.bind(globalThis);

  async function call(method: string, path: string, body?: unknown, signal?: AbortSignal, accept = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError('ERR_NETWORK', 'flowbridge did not answer. Check that it is running and reachable, then try again.', 0);
    }
    if (res.ok) return res;
    const error = await toApiError(res);
    if (res.status === 401) options.onUnauthorized?.();
    throw error;
  }

  async function json<T>(res: Response): Promise<T> {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError('ERR_HTTP', 'The server sent an answer that is not JSON; is this URL really flowbridge?', res.status);
    }
  }

  return {
    async get<T>(path: string, signal?: AbortSignal) {
      return await json<T>(await call('GET', path, undefined, signal));
    },
    async post<T>(path: string, body?: unknown, signal?: AbortSignal) {
      return await json<T>(await call('POST', path, body ?? {}, signal));
    },
    async put<T>(path: string, body: unknown) {
      return await json<T>(await call('PUT', path, body));
    },
    async del<T = void>(path: string) {
      return await json<T>(await call('DELETE', path));
    },
    async stream(path, onMessage, signal) {
      const res = await call('GET', path, undefined, signal, 'text/event-stream');
      if (!res.body) return;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = createSseParser(onMessage);
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/**
 * A text/event-stream parser (the subset the server sends: `event:` and `data:` lines,
 * comments as keep-alives). EventSource cannot send an Authorization header, hence this.
 */
export function createSseParser(onMessage: (event: string, data: unknown) => void): { push(chunk: string): void } {
  let buffer = '';
  return {
    push(chunk) {
      buffer += chunk.replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        if (!data.length) continue;
        const text = data.join('\n');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: hand over the text.
        }
        onMessage(event, parsed);
      }
    },
  };
}

/** A readable sentence (or a few) for any error, for banners and toasts. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const problems = err.details
      .map((d) => (typeof d === 'object' && d !== null && typeof (d as { message?: unknown }).message === 'string' ? (d as { message: string }).message : undefined))
      .filter((m): m is string => Boolean(m));
    if (problems.length > 1 || (problems.length === 1 && !err.message.includes(problems[0]!))) {
      const shown = problems.slice(0, 5).map((p) => `• ${p}`).join('\n');
      return `${err.message}\n${shown}${problems.length > 5 ? `\n… and ${problems.length - 5} more` : ''}`;
    }
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
