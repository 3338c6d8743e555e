/**
 * Server-sent events reader (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * CRLF/LF/CR line ends, comments, multi-line `data`, events split across network chunks.
 * Yields the `data` of each event; a line longer than `maxLineLength` is an error (garbage guard).
 */
export class SseLineTooLongError extends Error {}

export async function* readSseData(
  body: AsyncIterable<Uint8Array>,
  maxLineLength = 1_000_000,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];

  function* takeLines(final: boolean): Generator<string> {
    for (;;) {
      const m = /\r\n|\n|\r/.exec(buffer);
      // A lone trailing '\r' may be the first half of '\r\n': wait for more input.
      if (!m || (m[0] === '\r' && m.index === buffer.length - 1 && !final)) break;
      yield buffer.slice(0, m.index);
      buffer = buffer.slice(m.index + m[0].length);
    }
    if (buffer.length > maxLineLength) throw new SseLineTooLongError('ligne SSE trop longue');
  }

  function* handle(line: string): Generator<string> {
    if (line === '') {
      if (data.length > 0) yield data.join('\n');
      data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
  }

  for await (const value of body) {
    buffer += decoder.decode(value, { stream: true });
    for (const line of takeLines(false)) yield* handle(line);
  }
  buffer += decoder.decode();
  for (const line of takeLines(true)) yield* handle(line);
  if (buffer) yield* handle(buffer);
  if (data.length > 0) yield data.join('\n');
}
