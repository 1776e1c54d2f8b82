// Unsaved work survives a reload or a crash: the editor keeps the flow it shows in
// localStorage while it differs from the saved version, and drops it once saved.
import type { FlowDocument } from '../../../flows/flow-document.ts';

export interface LocalDraft {
  /** The saved version the draft was made from. */
  baseVersion: number;
  doc: FlowDocument;
  savedAt: string;
}

const key = (flowId: string) => `flowbridge.draft.${flowId}`;

export function readDraft(flowId: string): LocalDraft | undefined {
  try {
    const raw = localStorage.getItem(key(flowId));
    const v = raw ? (JSON.parse(raw) as LocalDraft) : undefined;
    return v && typeof v.baseVersion === 'number' && v.doc && Array.isArray(v.doc.nodes) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function writeDraft(flowId: string, draft: LocalDraft): void {
  try {
    localStorage.setItem(key(flowId), JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft is a convenience, the server copy is the record.
  }
}

export function clearDraft(flowId: string): void {
  try {
    localStorage.removeItem(key(flowId));
  } catch {
    // As above.
  }
}
