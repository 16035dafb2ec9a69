import { type Command, Option } from 'commander';
import { bootstrap } from '../main.ts';
import {
  addToWatchlist,
  listWatchlists,
  type MembershipView,
  removeFromWatchlist,
  showWatchlist,
} from '../people/watchlists.ts';
import type { Db } from '../store/db.ts';
import { createOutput, type Output, reportError } from './output.ts';

/**
 * Runs a watchlist command on the store the configuration names.
 * NOTE: it opens the store itself, so with an embedded PGlite data directory it fails while
 * `casebridge serve` holds that directory; a server on PostgreSQL (DATABASE_URL) does not block it.
 */
async function withStore(json: boolean, run: (db: Db, output: Output) => Promise<number>) {
  let close: (() => Promise<void>) | undefined;
  try {
    const deps = await bootstrap();
    close = deps.close;
    process.exitCode = await run(deps.store.db, createOutput(json));
  } catch (error) {
    process.exitCode = reportError(error, json);
  } finally {
    await close?.().catch(() => {});
  }
}

function formatMember(member: MembershipView): string {
  const until = member.endsAt === null ? '' : ` until ${member.endsAt}`;
  const by = member.addedBy === null ? ` (${member.cause})` : ` (added by ${member.addedBy})`;
  const reason = member.reason === null ? '' : `: ${member.reason}`;
  return `${member.email}  ${member.name}  since ${member.startsAt}${until}${by}${reason}`;
}

/** Adds `casebridge watchlist list|show|add|remove` to the program. */
export function registerWatchlistCommands(program: Command): void {
  const json = () => new Option('--json', 'print one JSON document on stdout (logs go to stderr)');
  const watchlist = program
    .command('watchlist')
    .description(
      'list and show watchlists, and manage custom lists (departing and new-hires follow HR dates)',
    );

  watchlist
    .command('list')
    .description('list the watchlists with their current member counts')
    .addOption(json())
    .action((options: { json?: boolean }) =>
      withStore(options.json === true, async (db, output) => {
        const lists = await listWatchlists(db);
        output.result(lists, () =>
          lists
            .map((list) => `${list.list.padEnd(20)} ${list.kind.padEnd(10)} ${list.members}`)
            .join('\n'),
        );
        return 0;
      }),
    );

  watchlist
    .command('show')
    .description('list the current members of a watchlist')
    .argument('<list>', 'departing, new-hires or a custom list name')
    .addOption(json())
    .action((list: string, options: { json?: boolean }) =>
      withStore(options.json === true, async (db, output) => {
        const members = await showWatchlist(db, list);
        output.result(members, () =>
          members.length === 0 ? `No members on ${list}.` : members.map(formatMember).join('\n'),
        );
        return 0;
      }),
    );

  for (const action of ['add', 'remove'] as const) {
    watchlist
      .command(action)
      .description(
        action === 'add'
          ? 'add a person to a custom watchlist (security role required)'
          : 'remove a person from a custom watchlist (security role required)',
      )
      .argument('<list>', 'custom list name: lower-case letters, digits, "-" or "_"')
      .argument('<email>', "the person's e-mail address in the directory")
      .requiredOption('--as <email>', 'e-mail of the security member making the change')
      .requiredOption('--reason <text>', 'why, for the audit trail')
      .addOption(json())
      .action(
        (list: string, email: string, options: { as: string; reason: string; json?: boolean }) =>
          withStore(options.json === true, async (db, output) => {
            const change = {
              list,
              email,
              actorEmail: options.as,
              reason: options.reason,
              now: new Date(),
            };
            const member =
              action === 'add'
                ? await addToWatchlist(db, change)
                : await removeFromWatchlist(db, change);
            output.result(member, () =>
              action === 'add'
                ? `Added ${member.email} to ${member.list}.`
                : `Removed ${member.email} from ${member.list}.`,
            );
            return 0;
          }),
      );
  }
}
