import type { ActOnCaseInput } from '../../cases/act-on-case.ts';
import type { CaseRow } from '../../cases/load-case.ts';
import type { Logger } from '../../log.ts';
import type { Db } from '../../store/db.ts';
import type { Locale } from '../messages/index.ts';
import type { SlackChatPort } from './slack-port.ts';

/**
 * Applies a person's decision to a case: `actOnCase` with the deployment's notifier, so that the
 * change and its chat messages are written in one transaction. It throws `actOnCase`'s errors.
 */
export type ActOnCase = (input: ActOnCaseInput) => Promise<CaseRow>;

/** The dependencies of the Slack listeners, built in `main.ts`. */
export interface SlackListenerDeps {
  db: Db;
  logger: Logger;
  port: SlackChatPort;
  /** The key subject pseudonyms are derived from (`loadPseudonymKey`). */
  pseudonymKey: Buffer;
  act: ActOnCase;
  now?: () => Date;
  /** How long an approved identity reveal lasts, in hours (`privacy.revealHours`). Defaults to 24. */
  revealHours?: number;
  /** The locale of texts shown before the person is known, such as form errors. Defaults to English. */
  defaultLocale?: Locale;
}
