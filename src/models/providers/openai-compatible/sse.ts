/**
 * Server-sent events reader (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * CRLF/LF/CR line ends, comments, multi-line `data`, events split across network chunks.
 * Gives the `data` of each event; a line longer than `maxLineLength` is an error (garbage guard).
 */
export class SseLineTooLongError extends Error {}

const LF = 10;
const CR = 13;

/**
 * The reader as a synchronous parser: `push` each piece of the body, read the events it completed,
 * then `check()`. A relayed token costs no promise here (see `streamChat`).
 */
export class SseDataParser {
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private data: string[] = [];
  private tooLong = false;

  constructor(private readonly maxLineLength = 1_000_000) {}

  /** The `data` of the events completed by this piece of the body. */
  push(bytes: Uint8Array): string[] {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    const out: string[] = [];
    this.takeLines(false, out);
    return out;
  }

  /** The events left at the end of the body (a last event needs no blank line). */
  end(): string[] {
    this.buffer += this.decoder.decode();
    const out: string[] = [];
    this.takeLines(true, out);
    if (this.tooLong) return out;
    if (this.buffer) this.handle(this.buffer, out);
    this.buffer = '';
    if (this.data.length > 0) out.push(this.data.join('\n'));
    this.data = [];
    return out;
  }

  /** Throws once the unterminated line has grown past the limit (after its events were read). */
  check(): void {
    if (this.tooLong) throw new SseLineTooLongError('ligne SSE trop longue');
  }

  private takeLines(final: boolean, out: string[]): void {
    const buf = this.buffer;
    let start = 0;
    // Next LF and next CR at or after `start` (-1: none), each searched again only once passed.
    let lf = buf.indexOf('\n');
    let cr = buf.indexOf('\r');
    for (;;) {
      if (lf >= 0 && lf < start) lf = buf.indexOf('\n', start);
      if (cr >= 0 && cr < start) cr = buf.indexOf('\r', start);
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (end < 0) break;
      let next = end + 1;
      if (buf.charCodeAt(end) === CR) {
        // A lone trailing '\r' may be the first half of '\r\n': wait for more input.
        if (end === buf.length - 1 && !final) break;
        if (buf.charCodeAt(end + 1) === LF) next = end + 2;
      }
      this.handle(buf.slice(start, end), out);
      start = next;
    }
    this.buffer = start === 0 ? buf : buf.slice(start);
    if (this.buffer.length > this.maxLineLength) this.tooLong = true;
  }

  private handle(line: string, out: string[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push(this.data.length === 1 ? this.data[0] : this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
    this.data.push(value);
  }
}

/** The same reader over an async body: yields the `data` of each event. */
export async function* readSseData(
  body: AsyncIterable<Uint8Array>,
  maxLineLength = 1_000_000,
): AsyncGenerator<string> {
  const parser = new SseDataParser(maxLineLength);
  for await (const value of body) {
    yield* parser.push(value);
    parser.check();
  }
  yield* parser.end();
  parser.check();
}
