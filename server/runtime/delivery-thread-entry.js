// Entry of a delivery worker thread: TypeScript loader first (threads do not inherit it).
import { register } from 'tsx/esm/api';

register();
await import('./delivery-thread.ts');
