// What the canvas shows on top of the document: validation problems per node, the last
// test run's result per node, and live delivery counts. Kept out of node data so that
// undo/redo and saving never see it.
import { createContext, useContext } from 'react';
import type { Problem } from '../../../flows/error-codes.ts';
import type { NodeKind } from '../../../flows/node-kinds.ts';
import type { NodeRunResult } from '../test-run/run-flow-test.ts';

export interface CanvasDecorations {
  problems: ReadonlyMap<string, readonly Problem[]>;
  run: Readonly<Record<string, NodeRunResult>> | undefined;
  kindOf: (type: string) => NodeKind | undefined;
}

export const DecorationsContext = createContext<CanvasDecorations>({ problems: new Map(), run: undefined, kindOf: () => undefined });

export function useDecorations(): CanvasDecorations {
  return useContext(DecorationsContext);
}
