import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted OpenAI-compatible upstream on loopback that keeps every byte it received (request
 * line, headers, body) so that a test can search them for personal data.
 */
export interface RecordingUpstream {
  origin: string;
  baseUrl: string;
  /** Raw bytes of each request: request line + headers + body. */
  raw: Buffer[];
  /** Parsed JSON bodies. */
  bodies: any[];
  reply: (body: any, res: ServerResponse) => void | Promise<void>;
  close(): Promise<void>;
}

export async function startRecordingUpstream(reply: RecordingUpstream['reply']): Promise<RecordingUpstream> {
  const state: RecordingUpstream = {
    origin: '',
    baseUrl: '',
    raw: [],
    bodies: [],
    reply,
    close: async () => undefined,
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n${req.rawHeaders.join('\r\n')}\r\n\r\n`;
    state.raw.push(Buffer.concat([Buffer.from(head, 'utf8'), body]));
    let parsed: any = null;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      /* kept raw */
    }
    state.bodies.push(parsed);
    try {
      await state.reply(parsed, res);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.baseUrl = `${state.origin}/v1`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

/** The text of the last user message the upstream received. */
export function lastUserText(body: any): string {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return [...msgs].reverse().find((m) => m.role === 'user')?.content ?? '';
}

export function replyJson(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'cmpl-1',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 10 },
    }),
  );
}

/** Streams `text` in pieces of `size` characters: placeholders end up split across chunks. */
export function replySse(res: ServerResponse, text: string, size = 3): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chars = [...text];
  for (let i = 0; i < chars.length; i += size) {
    const piece = chars.slice(i, i + size).join('');
    res.write(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`,
    );
  }
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
  res.end('data: [DONE]\n\n');
}
