import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../shared/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../shared/json-depth.js';
import { jsonHasUnsafeChars } from '../../shared/text-safety.js';
import type { AppEnv } from '../env.js';

/** In a JSON text, the only ways to write NUL or a surrogate: the escapes `\u0000`, `\uD800`–`\uDFFF`. */
const ESCAPE_OF_INTEREST = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * Every JSON body, before any route: nested deeper than 64 levels (zod and the serialisers recurse:
 * ~5,000 levels overflowed the stack, a 500) or holding NUL or an unpaired surrogate (PostgreSQL
 * refuses NUL in text: a 500) is a 400. A `%00` in the URL also. The body text stays cached for
 * the route's own `c.req.json()`.
 */
export function guardInput(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (/%00/.test(c.req.url)) {
      throw new AppError('invalid_request', 'L’adresse contient un caractère nul (%00), refusé.');
    }
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) return next();
    const text = await c.req.text();
    if (jsonTooDeep(text)) {
      throw new AppError(
        'invalid_json',
        `Le corps JSON imbrique plus de ${MAX_JSON_DEPTH} niveaux de tableaux ou d’objets : il est refusé.`,
      );
    }
    if (ESCAPE_OF_INTEREST.test(text)) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return next(); // the route answers its own 400 for invalid JSON
      }
      if (jsonHasUnsafeChars(value)) {
        throw new AppError(
          'invalid_request',
          'Le texte envoyé contient un caractère nul (U+0000) ou un caractère Unicode incomplet (moitié de paire de substitution) : retirez-le puis réessayez.',
        );
      }
    }
    return next();
  };
}
