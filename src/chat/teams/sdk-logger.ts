import type { App } from '@microsoft/teams.apps';
import type { Logger } from '../../log.ts';

/** The logger interface of the Teams SDK (`ILogger` of `@microsoft/teams.common`). */
type SdkLogger = NonNullable<ConstructorParameters<typeof App>[0]>['logger'] & {};

/**
 * Adapts a pino logger to the Teams SDK's logger. Only the SDK's text and an error's name and
 * message are written, because the SDK passes whole activities (names, e-mail addresses, card
 * inputs) as extra arguments. Debug and trace lines are dropped for the same reason.
 */
export function teamsSdkLogger(logger: Logger): SdkLogger {
  const child = logger.child({ component: 'teams' });
  const write = (level: 'info' | 'warn' | 'error', parts: unknown[]) => {
    const error = parts.find((part): part is Error => part instanceof Error);
    const text = parts.filter((part): part is string => typeof part === 'string').join(' ');
    if (error === undefined) child[level](text);
    else child[level]({ err: { type: error.name, message: error.message } }, text || error.message);
  };

  const sdkLogger: SdkLogger = {
    debug: () => {},
    trace: () => {},
    info: (...parts: unknown[]) => write('info', parts),
    warn: (...parts: unknown[]) => write('warn', parts),
    error: (...parts: unknown[]) => write('error', parts),
    log: (level: string, ...parts: unknown[]) => {
      if (level === 'info' || level === 'warn' || level === 'error') write(level, parts);
    },
    child: () => sdkLogger,
  };
  return sdkLogger;
}
