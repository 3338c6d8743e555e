import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Timing {
  totalMs: number;
  /** Time to the first body byte after the headers (for a stream: the first SSE event). */
  firstByteMs: number;
  /** For streams: time to the first content delta. */
  firstTokenMs: number;
}

/** One POST with keep-alive; resolves with timings once the body has been read. */
export function post(url: string, body: string, headers: Record<string, string>): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let firstByte = NaN;
        let firstToken = NaN;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const now = performance.now() - started;
          if (Number.isNaN(firstByte)) firstByte = now;
          text += d;
          if (Number.isNaN(firstToken) && /"content":"[^"]+"/.test(text)) firstToken = now;
        });
        res.on('end', () => {
          if (res.statusCode !== 200)
            return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          resolve({ totalMs: performance.now() - started, firstByteMs: firstByte, firstTokenMs: firstToken });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `total` requests with `concurrency` in flight; returns requests per second. */
export async function throughput(
  run: () => Promise<unknown>,
  total: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        await run();
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}
