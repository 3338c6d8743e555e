import type { Parser } from './spec.js';
export const docxParser: Parser = { format: 'docx', async parse() { throw new Error('todo'); } };
