import type { IncomingMessage, ServerResponse } from 'node:http';
import { FlowbridgeError, type ErrorCode } from '../flows/error-codes.ts';

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The API's error body: `{"error": {"code", "message", "details"}}`. */
export function errorBody(code: ErrorCode, message: string, details: unknown[] = []): { error: { code: ErrorCode; message: string; details: unknown[] } } {
  return { error: { code, message, details } };
}

export function sendError(res: ServerResponse, err: FlowbridgeError): void {
  sendJson(res, err.status, errorBody(err.code, err.message, err.details));
}

/** Maps anything thrown to a FlowbridgeError; unknown errors become ERR_INTERNAL without leaking internals. */
export function toFlowbridgeError(err: unknown): FlowbridgeError {
  if (err instanceof FlowbridgeError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  // body-parser errors (express.json)
  if (e?.type === 'entity.too.large') return new FlowbridgeError('ERR_BODY_TOO_LARGE', 'The request body is larger than allowed');
  if (e?.type === 'entity.parse.failed') return new FlowbridgeError('ERR_BODY_INVALID_JSON', `The request body is not valid JSON: ${e.message ?? ''}`.trim());
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new FlowbridgeError('ERR_UNSUPPORTED_MEDIA_TYPE', e.message ?? 'Unsupported encoding');
  if (isRedisUnavailable(err)) return new FlowbridgeError('ERR_UNAVAILABLE', 'Redis is unavailable; retry shortly');
  return new FlowbridgeError('ERR_INTERNAL', 'An unexpected error occurred; it has been logged');
}

/** Whether an error means Redis could not be reached (as opposed to a bug). */
export function isRedisUnavailable(err: unknown): boolean {
  const msg = String((err as Error)?.message ?? '');
  return /Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|Command timed out|MaxRetriesPerRequest|LOADING/i.test(msg);
}

/** Reads a request body up to `limit` bytes; throws ERR_BODY_TOO_LARGE (413) past it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new FlowbridgeError('ERR_BODY_TOO_LARGE', `The request body is ${declared} bytes; the limit is ${limit}`, [{ limit }]);
  }
  return await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new FlowbridgeError('ERR_BODY_TOO_LARGE', `The request body exceeds the limit of ${limit} bytes`, [{ limit }]));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(new FlowbridgeError('ERR_BAD_REQUEST', `The request body could not be read: ${err.message}`));
    });
  });
}

