import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stderr (stdout stays for command output). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'guichet' } }, pino.destination(2));
}
