/** A parsed `/case` command. A missing case or note is null, and the reply then shows the usage. */
export type CaseCommand =
  | { kind: 'help' }
  | { kind: 'unknown'; name: string }
  | { kind: 'show'; caseRef: string | null }
  | { kind: 'mine' }
  | { kind: 'note'; caseRef: string | null; text: string | null }
  | { kind: 'files-where'; hash: string | null }
  | { kind: 'watchlist'; action: string | null; args: string | null };

/** The maximum length of a sub-command name quoted back in the "no such command" reply. */
const maxQuotedName = 40;

/**
 * Parses the text after `/case`: `help` (also the empty text), `show <case>`, `mine`, and
 * `note <case> <text>`, `files where <hash>` and `watchlist <action> <arguments>`. Sub-command names ignore case; the note keeps its line breaks.
 */
export function parseCaseCommand(text: string): CaseCommand {
  const match = /^\s*(\S*)\s*(\S*)\s*([\s\S]*)$/.exec(text) ?? [];
  const name = (match[1] ?? '').toLowerCase();
  const caseRef = match[2] || null;
  const rest = (match[3] ?? '').trim() || null;

  switch (name) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'show':
      return { kind: 'show', caseRef };
    case 'mine':
      return { kind: 'mine' };
    case 'note':
      return { kind: 'note', caseRef, text: rest };
    case 'files':
      if (caseRef?.toLowerCase() !== 'where') return { kind: 'unknown', name: 'files' };
      return { kind: 'files-where', hash: rest };
    case 'watchlist':
      return { kind: 'watchlist', action: caseRef, args: rest };
    default:
      return { kind: 'unknown', name: name.slice(0, maxQuotedName) };
  }
}
