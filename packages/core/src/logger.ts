import { pino, type Logger } from 'pino';

/**
 * A pino logger that never prints a secret: anything named secret, key or authorization is
 * redacted wherever it appears in a logged object.
 */
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'secret',
        'secrets',
        'key',
        '*.secret',
        '*.secrets',
        '*.key',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'apiKeys',
        '*.apiKeys',
      ],
      censor: '[redacted]',
    },
  });
}
export type { Logger };
