import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Paths that pino replaces with "[redacted]": secrets, and personal data of the people the bot
 * watches. Code logs ids (caseId, signalId) rather than these fields, and this list is the net
 * for mistakes.
 */
export const redactedPaths = [
  'token',
  'secret',
  'password',
  'authorization',
  'headers.authorization',
  'headers["webhook-signature"]',
  'email',
  'subjectEmail',
  'displayName',
  '*.email',
  '*.subjectEmail',
  '*.displayName',
  'raw',
  '*.raw',
  // A subject key is `email:<address>` for a subject outside the directory.
  'subjectKey',
  '*.subjectKey',
  'subjectName',
  '*.subjectName',
  'managerEmail',
  '*.managerEmail',
];

/** Creates the process logger. Logs go to stderr so that `--json` output on stdout stays clean. */
export function createLogger(
  options: { level?: string; destination?: DestinationStream } = {},
): Logger {
  return pino(
    {
      name: 'casebridge',
      level: options.level ?? 'info',
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    options.destination ?? pino.destination(2),
  );
}
