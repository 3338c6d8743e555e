/**
 * The worker thread's task: `prepareDocument`, with an `AppError` sent back as plain data (a
 * thrown error loses its code and parameter on its way between threads).
 */
import { AppError, type ErrorCode } from '../../shared/errors.js';
import { prepareDocument, type PrepareTask, type Prepared } from './prepare.js';
import { workerData } from 'node:worker_threads';
import { configureOcr, type OcrSettings } from '../sources/files/ocr.js';

// The pool hands each worker the `documents.ocr` settings: module state is per thread, so the
// main thread's `configureOcr` does not reach here.
const settings = (workerData as { ocr?: OcrSettings | null } | undefined)?.ocr;
if (settings) configureOcr(settings);

export type WorkerAnswer =
  | { ok: true; value: Prepared }
  | { ok: false; code: ErrorCode; message: string; param: string | null; detail?: string };

export default async function run(task: PrepareTask): Promise<WorkerAnswer> {
  try {
    return { ok: true, value: await prepareDocument(task) };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, code: e.code, message: e.message, param: e.param };
    // A parser that breaks on a strange file: the file is refused, the detail goes to the log.
    return {
      ok: false,
      code: 'unprocessable',
      message: `Le fichier « ${task.fileName} » n'a pas pu être analysé (contenu inattendu ou endommagé).`,
      param: 'file',
      detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    };
  }
}
