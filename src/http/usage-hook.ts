import type { Context } from 'hono';
import type { ChatMessage, Usage } from '../models/spec.js';
import { estimatePromptTokens } from '../models/usage.js';
import type { AppEnv } from './env.js';

export interface UsageReport {
  model: string;
  usage: Usage;
  ttftMs: number | null;
  /** Status recorded for the row (default: the response's; a stream cut by its client: 499). */
  status?: number;
}

/** Routes that call models report tokens here once known (for a stream: at its end). */
export function reportUsage(c: Context<AppEnv>, report: UsageReport): void {
  const recorder = (c.var as Record<string, unknown>).usageRecorder as ((r: UsageReport) => void) | undefined;
  recorder?.(report);
}

/**
 * What a streamed answer produced so far, so that a stream ending early (client gone, timeout,
 * upstream error) is still charged: the prompt sent (when a model was called) and the text
 * streamed, counted as the larger of its pieces (one token each, as servers stream them) and the
 * usual estimate. A stream that reached its result is charged the upstream's own figures instead.
 */
export class StreamMeter {
  #text = 0;
  #pieces = 0;
  #reported = false;

  constructor(
    private readonly c: Context<AppEnv>,
    private readonly o: { model: string; promptMessages: ChatMessage[] | null },
  ) {}

  add(text: string): void {
    this.#text += text.length;
    this.#pieces++;
  }

  /** The complete stream's figures. */
  report(r: UsageReport): void {
    this.#reported = true;
    reportUsage(this.c, r);
  }

  /** In a `finally`: charges what was produced when the stream ended before its result. */
  settle(o: { ttftMs: number | null; clientGone: boolean }): void {
    if (this.#reported) return;
    this.#reported = true;
    const promptTokens = this.o.promptMessages ? estimatePromptTokens(this.o.promptMessages) : 0;
    const completionTokens = Math.max(this.#pieces, this.#text ? Math.ceil(this.#text / 4) : 0);
    reportUsage(this.c, {
      model: this.o.model,
      usage: { promptTokens, completionTokens },
      ttftMs: o.ttftMs,
      status: o.clientGone ? 499 : 502,
    });
  }
}
