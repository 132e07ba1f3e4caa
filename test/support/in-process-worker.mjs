// Worker entry: registers tsx in this thread (loader hooks of the main thread do not reach workers), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./in-process-worker.ts');
