/**
 * Downloads one DILA archive through the egress client (declared origins only), into a file, with a
 * conditional request (ETag / Last-Modified of the copy already held), a size limit and a time limit.
 * A redirect is followed only to a declared origin (at most a few). Nothing but `dest` is written;
 * on any failure `dest` may hold a partial file, which the caller discards.
 */
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EgressFetch, EgressResponse } from '../../../models/http-client.js';
import { AppError } from '../../../shared/errors.js';

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export interface DownloadOptions {
  egress: EgressFetch;
  url: string;
  dest: string;
  /** Validators of the copy already held; null = unconditional request. */
  validators: Validators | null;
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type DownloadResult =
  { status: 'unchanged' } | { status: 'downloaded'; bytes: number; validators: Validators };

const MAX_REDIRECTS = 3;

/** A download failure: `reason` is a French clause ("le serveur a répondu HTTP 404"). */
export class DownloadError extends AppError {
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super('upstream_error', reason, { cause });
    this.name = 'DownloadError';
  }
}

function networkReason(e: unknown, host: string): string {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `nom d'hôte « ${host} » introuvable (DNS)`;
    case 'ECONNREFUSED':
      return `connexion refusée par ${host}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return `hôte ${host} injoignable (réseau)`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return `connexion interrompue par ${host} pendant le téléchargement`;
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `certificat TLS de ${host} refusé`;
    default:
      return `échec réseau vers ${host} (${err.message || String(e)})`;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 80);
  }
}

/** Downloads `url` into `dest`, or reports that the copy held is still current (304). */
export async function downloadArchive(o: DownloadOptions): Promise<DownloadResult> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const seconds = Math.round(o.timeoutMs / 100) / 10;
  const timedOut = () => new DownloadError(`délai de ${seconds} s dépassé (téléchargement trop lent)`);
  let url = o.url;
  try {
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {
        accept: 'application/zip, application/octet-stream;q=0.9, */*;q=0.1',
        'user-agent': 'Guichet (mise à jour du corpus service-public)',
      };
      if (o.validators?.etag) headers['if-none-match'] = o.validators.etag;
      if (o.validators?.lastModified) headers['if-modified-since'] = o.validators.lastModified;
      let res: EgressResponse;
      try {
        res = await o.egress.request(url, { method: 'GET', headers, signal });
      } catch (e) {
        if (e instanceof AppError && e.code === 'egress_refused') {
          throw new DownloadError(
            hop === 0
              ? `l'origine ${new URL(url).origin} n'est pas autorisée (liste des hôtes déclarés)`
              : `redirection vers ${new URL(url).origin} refusée : cette origine n'est pas déclarée`,
            e,
          );
        }
        throw e;
      }
      if (res.status === 304 && o.validators) {
        res.body.resume();
        return { status: 'unchanged' };
      }
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        res.body.resume();
        const location = res.header('location');
        if (!location) throw new DownloadError(`redirection HTTP ${res.status} sans adresse de destination`);
        if (hop >= MAX_REDIRECTS) throw new DownloadError(`trop de redirections depuis ${hostOf(o.url)}`);
        const next = new URL(location, url);
        if (!o.egress.allowedOrigins.includes(next.origin)) {
          throw new DownloadError(
            `redirection vers ${next.origin} refusée : cette origine n'est pas déclarée`,
          );
        }
        url = next.href;
        continue;
      }
      if (res.status !== 200) {
        res.body.resume();
        throw new DownloadError(`le serveur ${hostOf(url)} a répondu HTTP ${res.status}`);
      }
      const declared = Number(res.header('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > o.maxBytes) {
        res.body.destroy();
        throw new DownloadError(
          `archive annoncée de ${mb(declared)}, au-delà de la limite de ${mb(o.maxBytes)}`,
        );
      }
      let received = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _enc, done) {
          received += chunk.length;
          if (received > o.maxBytes)
            done(new DownloadError(`archive de plus de ${mb(o.maxBytes)}, au-delà de la limite`));
          else done(null, chunk);
        },
      });
      await pipeline(res.body, limit, createWriteStream(o.dest));
      if (!res.body.complete || (Number.isFinite(declared) && received !== declared)) {
        throw new DownloadError(
          `téléchargement incomplet depuis ${hostOf(url)} (${received} octets reçus${Number.isFinite(declared) ? ` sur ${declared}` : ''})`,
        );
      }
      return {
        status: 'downloaded',
        bytes: received,
        validators: { etag: res.header('etag') ?? null, lastModified: res.header('last-modified') ?? null },
      };
    }
  } catch (e) {
    if (timeout.aborted) throw timedOut();
    if (o.signal?.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : (e as Error);
    if (e instanceof DownloadError) throw e;
    if (e instanceof AppError) throw e;
    throw new DownloadError(networkReason(e, hostOf(url)), e);
  }
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} Mo` : `${Math.round(bytes / 1024)} ko`;
}
