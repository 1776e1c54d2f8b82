// Flow files (export and import): a FlowDocument as JSON. Export leaves out the server's
// revision number; import accepts an exported file or an API answer that wraps the document.
import type { FlowDocument } from '../../../flows/flow-document.ts';

/** The document as a file: everything but the server-managed version. */
export function toFlowFile(doc: FlowDocument): FlowDocument {
  const { version: _v, ...rest } = doc;
  return rest;
}

/** Reads a flow file; throws an Error with a readable message when it is not one. */
export function parseFlowFile(text: string): FlowDocument {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`The file is not JSON: ${(err as Error).message}`);
  }
  // An API answer ({id, version, doc}) holds the document in `doc`.
  if (typeof v === 'object' && v !== null && 'doc' in v && typeof (v as { doc: unknown }).doc === 'object') v = (v as { doc: unknown }).doc;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('The file does not hold a flow (a JSON object with "name", "nodes" and "edges").');
  const doc = v as Partial<FlowDocument>;
  if (!Array.isArray(doc.nodes) || !Array.isArray(doc.edges)) throw new Error('The file does not hold a flow: "nodes" and "edges" must be arrays.');
  if (typeof doc.name !== 'string' || !doc.name.trim()) throw new Error('The flow in the file has no "name".');
  const { version: _v, ...rest } = doc as FlowDocument;
  return rest;
}

/** A file name for a flow: `<id or name>.flow.json`. */
export function flowFileName(doc: FlowDocument): string {
  const base = (doc.id ?? doc.name).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'flow';
  return `${base}.flow.json`;
}
