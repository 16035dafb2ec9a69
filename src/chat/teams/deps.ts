import type { Logger } from '../../log.ts';
import type { Db } from '../../store/db.ts';
import type { Locale } from '../messages/index.ts';
import type { ActOnCase } from '../slack/deps.ts';

/** The dependencies of the Teams handlers, built in `main.ts`. */
export interface TeamsListenerDeps {
  db: Db;
  logger: Logger;
  /** The key subject pseudonyms are derived from (`loadPseudonymKey`). */
  pseudonymKey: Buffer;
  /** `actOnCase` with the deployment's notifier, as for the Slack listeners. */
  act: ActOnCase;
  now?: () => Date;
  /** The locale of texts shown before the person is known. Defaults to English. */
  defaultLocale?: Locale;
}
