import { isCasebridgeError } from '../../errors.ts';
import { type FileSightings, findFileSightings } from '../../files/find-file-sightings.ts';
import {
  type PseudonymousSighting,
  pseudonymiseSightings,
} from '../../files/pseudonymise-sightings.ts';
import type { ChatPerson } from '../identity.ts';
import { formatTime, t } from '../messages/index.ts';
import { renderTextMessage } from './blocks.ts';
import type { CommandReply } from './command-replies.ts';
import type { SlackListenerDeps } from './deps.ts';
import { slackText } from './messages.ts';

/** The maximum number of sightings one ephemeral reply lists; the CLI lists more. */
const MAX_LISTED = 20;

/**
 * Runs `/case files where <hash>` for the security team: the file's sightings, newest first, with
 * each subject shown by pseudonym as in security's case views.
 */
export async function runFilesWhereCommand(
  deps: SlackListenerDeps,
  person: ChatPerson,
  hash: string | null,
): Promise<CommandReply> {
  const { locale } = person;
  if (!person.roles.includes('security')) {
    return renderTextMessage(slackText(locale, 'command.securityOnly'));
  }
  if (hash === null) return renderTextMessage(slackText(locale, 'command.usage.filesWhere'));

  let found: FileSightings;
  try {
    found = await findFileSightings(deps.db, hash, MAX_LISTED);
  } catch (error) {
    if (isCasebridgeError(error) && error.code === 'USAGE_INVALID') {
      return renderTextMessage(slackText(locale, 'command.usage.filesWhere'));
    }
    throw error;
  }
  const sightings = await pseudonymiseSightings(deps.db, deps.pseudonymKey, found.sightings);
  return renderTextMessage(describeSightings(found, sightings));
}

function describeSightings(found: FileSightings, sightings: PseudonymousSighting[]): string {
  const locale = 'en';
  const lines: string[] = [];
  if (found.critical !== null) {
    lines.push(
      t(locale, 'files.where.critical', {
        label: found.critical.label,
        sensitivity: found.critical.sensitivity,
      }),
    );
  }
  if (sightings.length === 0) {
    lines.push(t(locale, 'files.where.none', { hash: found.hash }));
    return lines.join('\n');
  }

  const unknown = t(locale, 'files.where.unknown');
  lines.push(t(locale, 'files.where.heading', { hash: found.hash, count: sightings.length }));
  for (const sighting of sightings) {
    lines.push(
      t(locale, 'files.where.line', {
        time: formatTime(sighting.observedAt),
        who: sighting.subject,
        device: sighting.device ?? unknown,
        destination: sighting.destination ?? unknown,
        source:
          sighting.kind === 'alert' ? `${sighting.source} alert` : `${sighting.source} file event`,
      }),
    );
  }
  if (found.truncated) {
    lines.push(t(locale, 'files.where.more', { count: MAX_LISTED, hash: found.hash }));
  }
  return lines.join('\n');
}
