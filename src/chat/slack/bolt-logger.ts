import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../log.ts';

/**
 * Adapts a pino logger to the logger interface of Bolt and the Slack Web API client, so that their
 * lines reach the process log with the others. Their debug lines are dropped: at debug level the
 * Web API client logs request and response bodies, which hold names and e-mail addresses. The level
 * stays pino's, so `setLevel` and `setName` change nothing.
 */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack' });
  const write = (level: 'info' | 'warn' | 'error', parts: unknown[]) => {
    const error = parts.find((part): part is Error => part instanceof Error);
    const text = parts
      .filter((part) => !(part instanceof Error))
      .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
      .join(' ');
    if (error === undefined) child[level](text);
    else child[level]({ err: { type: error.name, message: error.message } }, text || error.message);
  };

  return {
    debug: () => {},
    info: (...parts: unknown[]) => write('info', parts),
    warn: (...parts: unknown[]) => write('warn', parts),
    error: (...parts: unknown[]) => write('error', parts),
    setLevel: () => {},
    setName: () => {},
    getLevel: () => boltLevelOf(logger.level),
  };
}

function boltLevelOf(level: string): LogLevel {
  switch (level) {
    case 'trace':
    case 'debug':
      return LogLevel.DEBUG;
    case 'info':
      return LogLevel.INFO;
    case 'warn':
      return LogLevel.WARN;
    default:
      return LogLevel.ERROR;
  }
}
