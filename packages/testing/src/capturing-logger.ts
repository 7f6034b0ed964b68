import { createLogger, type Logger } from '@jobplatform/config';

/** One line a logger wrote, as its JSON reads: pino's numeric `level` (20 debug, 30 info, 40 warn), `msg` and the line's fields. */
export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** A logger whose JSON lines land in `lines`, in the order written: for tests of what code logs. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger('test', level, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}
