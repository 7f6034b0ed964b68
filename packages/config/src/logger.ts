import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs, one line per event, tagged with the service name. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'password', '*.password', 'refreshToken', '*.refreshToken', 'token', '*.token'],
      censor: '[redacted]',
    },
  });
}
