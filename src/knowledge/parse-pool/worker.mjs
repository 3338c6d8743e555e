// Entry point of a parsing worker thread. A worker starts with a fresh module loader: the
// TypeScript sources are loaded through tsx's loader, as bin/guichet.js does for the main thread
// (the same whether the main thread is `guichet serve`, vitest or a script).
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./worker.ts');
export default run;
