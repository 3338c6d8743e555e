import type { Parser } from './spec.js';
export const pdfParser: Parser = { format: 'pdf', async parse() { throw new Error('todo'); } };
