/**
 * A loopback stand-in for DILA's host: archives built at test time from real XML (the package's
 * fiches turned back into DILA XML, and the hand-written fixtures), served with ETag/Last-Modified
 * and 304 on a matching If-None-Match.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import yazl from 'yazl';

const FIXTURES = join(import.meta.dirname, '../fixtures/service-public/xml');
export const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Loopback {
  server: Server;
  origin: string;
  routes: Map<string, Handler>;
  seen: { path: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function loopback(): Promise<Loopback> {
  const routes = new Map<string, Handler>();
  const seen: Loopback['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const h = routes.get(req.url ?? '');
    if (h) return h(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('introuvable');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    routes,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function zipOf(files: Map<string, string> | Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  for (const [name, content] of entries)
    zip.addBuffer(
      typeof content === 'string' ? Buffer.from(content) : content,
      name.includes('.') ? name : `${name}.xml`,
    );
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Serves an archive like DILA's host: ETag and Last-Modified, 304 on a matching If-None-Match. */
export function archive(bytes: Buffer): Handler {
  const etag = `"${createHash('sha1').update(bytes).digest('hex')}"`;
  return (req, res) => {
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res
      .writeHead(200, {
        'content-type': 'application/zip',
        'content-length': bytes.length,
        etag,
        'last-modified': 'Tue, 01 Dec 2026 06:00:00 GMT',
      })
      .end(bytes);
  };
}

export const merge = (m: Map<string, string>, extra: Map<string, string> | Record<string, string>) =>
  new Map([...m, ...(extra instanceof Map ? extra : Object.entries(extra))]);
