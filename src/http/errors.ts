import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, isAppError, isDiskFull } from '../shared/errors.js';
import type { AppEnv } from './env.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(e: AppError): OpenAIErrorBody {
  return { error: { message: e.message, type: e.type, param: e.param, code: e.code } };
}

/** The one place that turns any error into OpenAI's error JSON with the right status. */
export function toErrorResponse(c: Context<AppEnv>, err: unknown): Response {
  let e: AppError;
  if (isAppError(err)) e = err;
  else if (err instanceof HTTPException && err.status === 400) {
    e = new AppError('invalid_json', "Le corps de la requête n'est pas un JSON valide.");
  } else if (err instanceof HTTPException && err.status === 415) {
    e = new AppError(
      'unsupported_media_type',
      'Type de contenu non pris en charge : envoyez application/json.',
    );
  } else if (err instanceof SyntaxError)
    e = new AppError('invalid_json', "Le corps de la requête n'est pas un JSON valide.");
  else if ((err as { status?: number })?.status === 413) {
    e = new AppError('payload_too_large', 'Le corps de la requête est trop volumineux.');
  } else if (isDiskFull(err)) {
    c.get('logger')?.error({ err, requestId: c.get('requestId') }, 'disk full');
    e = new AppError(
      'insufficient_storage',
      "Le disque du serveur est plein : l'enregistrement a été annulé, rien n'a été modifié. Les consultations restent possibles ; prévenez l'administrateur.",
    );
  } else {
    c.get('logger')?.error({ err, requestId: c.get('requestId') }, 'unhandled error');
    e = new AppError(
      'internal_error',
      'Erreur interne du serveur. Référence : ' + (c.get('requestId') ?? '-'),
    );
  }
  if (e.status >= 500 && isAppError(err))
    c.get('logger')?.warn({ err, requestId: c.get('requestId') }, e.code);
  for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
  return c.json(errorBody(e), e.status as ContentfulStatusCode);
}
