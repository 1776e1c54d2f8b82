import { useEffect, useRef } from 'react';
import { Dialog } from '../components/dialog.tsx';

export interface ShortcutHandlers {
  save(): void;
  undo(): void;
  redo(): void;
  copy(): void;
  cut(): void;
  /** `text`: what the system clipboard held, when the browser gave it. */
  paste(text: string | undefined): void;
  selectAll(): void;
  deselect(): void;
  layout(): void;
  fit(): void;
  help(): void;
}

export const SHORTCUTS: readonly [keys: string, what: string][] = [
  ['Ctrl/⌘ + S', 'Save'],
  ['Ctrl/⌘ + Z', 'Undo'],
  ['Ctrl/⌘ + Shift + Z, Ctrl + Y', 'Redo'],
  ['Ctrl/⌘ + C / X / V', 'Copy, cut, paste nodes'],
  ['Ctrl/⌘ + A', 'Select everything'],
  ['Delete, Backspace', 'Delete the selection'],
  ['Shift + drag', 'Select an area'],
  ['Shift/Ctrl + click', 'Add to the selection'],
  ['Arrow keys', 'Move the selected nodes'],
  ['L', 'Auto-layout'],
  ['F', 'Zoom to fit'],
  ['Escape', 'Clear the selection'],
  ['?', 'This list'],
];

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/**
 * The editor's keyboard shortcuts. While the user types in a field, only Ctrl+S is taken;
 * the field keeps its own undo, copy and paste. Paste comes through the browser's paste
 * event, so text copied in another tab or flow (a fragment as JSON) pastes too.
 */
export function useEditorShortcuts(handlers: ShortcutHandlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    let pastedByEvent = false;
    const onKey = (e: KeyboardEvent) => {
      const h = ref.current;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        h.save();
        return;
      }
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) h.redo();
        else h.undo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        h.redo();
      } else if (mod && key === 'c') {
        h.copy();
      } else if (mod && key === 'x') {
        h.cut();
      } else if (mod && key === 'v') {
        // The paste event usually follows with the clipboard's text; if the browser does not
        // send one (no focus, no permission), paste what this tab copied.
        pastedByEvent = false;
        setTimeout(() => {
          if (!pastedByEvent) ref.current.paste(undefined);
        }, 60);
      } else if (mod && key === 'a') {
        e.preventDefault();
        h.selectAll();
      } else if (!mod && !e.altKey && key === 'l') {
        h.layout();
      } else if (!mod && !e.altKey && key === 'f') {
        h.fit();
      } else if (e.key === '?') {
        h.help();
      } else if (e.key === 'Escape') {
        h.deselect();
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      pastedByEvent = true;
      e.preventDefault();
      ref.current.paste(e.clipboardData?.getData('text/plain') || undefined);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('paste', onPaste);
    };
  }, []);
}

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="table shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
