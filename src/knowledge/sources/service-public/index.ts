/** The service-public.fr "Vos droits et démarches" source: read raw publications, parse them. */
export { openServicePublicSource } from './reader.js';
export type { RawPublication, ServicePublicSource } from './types.js';
export { parsePublication } from './parse.js';
export type { LegalReference, OnlineService } from './metadata.js';
