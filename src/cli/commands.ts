import { readFileSync } from 'node:fs';
import type { CaseService, IdentityAccess } from '../cases/case-service.ts';
import type { CaseDetail } from '../cases/show-case.ts';
import { type FeedName, feedNames } from '../config.ts';
import { CasebridgeError } from '../errors.ts';
import type { IngestSummary } from '../intake/ingest-feed.ts';
import { type ActOptions, eventFromOptions } from './case-event-options.ts';
import { EXIT_REJECTED, type Output, usageError } from './output.ts';
import { describeShownSubject } from './privacy-commands.ts';

export async function runIngest(
  service: CaseService,
  out: Output,
  feed: string,
  source: string,
): Promise<number> {
  if (!feedNames.includes(feed as FeedName)) {
    throw usageError(`Unknown feed "${feed}"; use one of ${feedNames.join(', ')}.`);
  }
  const summary = await service.ingest(feed as FeedName, readInput(source));
  out.result(summary, () => formatIngestSummary(summary));
  return summary.rejected.length > 0 ? EXIT_REJECTED : 0;
}

export function formatIngestSummary(summary: IngestSummary): string {
  const lines = [
    `created ${summary.created}, grouped ${summary.grouped}, duplicates ${summary.duplicates}, rejected ${summary.rejected.length}`,
  ];
  for (const rejected of summary.rejected)
    lines.push(`  record ${rejected.index}: ${rejected.reason}`);
  return lines.join('\n');
}

function readInput(source: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Could not read ${source === '-' ? 'standard input' : source}: ${(error as Error).message}. Give a readable file, or - for standard input.`,
    );
  }
}

export async function runCasesList(
  service: CaseService,
  out: Output,
  state: string | undefined,
): Promise<number> {
  const rows = await service.list(state);
  out.result(rows, () => {
    if (rows.length === 0) return 'No cases.';
    return rows
      .map(
        (row) =>
          `${row.key}  ${row.state.padEnd(15)} ${row.priority.padEnd(9)} opened ${row.openedAt}`,
      )
      .join('\n');
  });
  return 0;
}

export async function runCasesShow(
  service: CaseService,
  out: Output,
  reference: string,
  access?: IdentityAccess,
): Promise<number> {
  const detail = await service.show(reference, access);
  out.result(detail, () => {
    const lines = [
      `${detail.key}  ${detail.state}  priority ${detail.priority}${detail.legalHold ? '  LEGAL HOLD' : ''}`,
      `subject: ${describeShownSubject(detail.subject)}${detail.subject.resolved ? '' : ' (not in the directory)'}`,
      `audiences: ${detail.audiences.join(', ')}`,
      ...detail.blockedThreads.map(describeBlockedThread),
      `signals (${detail.signals.length}):`,
      ...detail.signals.flatMap((signal) => [
        `  ${signal.observedAt} ${signal.source} ${signal.severity} ${signal.title}`,
        ...signal.files.map(
          (file) =>
            `      file ${file.name ?? '-'}  ${file.sha256 === null ? `md5 ${file.md5 ?? '-'}` : `sha256 ${file.sha256}`}`,
        ),
      ]),
      'timeline:',
      ...detail.events.map(
        (event) =>
          `  ${event.seq}. ${event.at} ${event.type} ${event.outcome} by ${event.actor}` +
          (event.toState !== null && event.toState !== event.fromState
            ? ` → ${event.toState}`
            : '') +
          (event.reason !== null ? ` — ${event.reason}` : ''),
      ),
    ];
    return lines.join('\n');
  });
  return 0;
}

const blockReasons: Record<string, string> = {
  subject_in_channel: 'the subject is a member of that channel',
  unidentified_members: 'members of that channel have no e-mail address Casebridge can read',
  manager_unreachable: 'the manager could not be reached',
  no_manager: 'the directory names no manager for the subject',
};

const audienceNames: Record<string, string> = {
  security: 'security',
  hr: 'HR',
  legal: 'Legal',
  manager: "the subject's manager",
};

/** Describes a blocked thread and its alert, such as "not posted to security on slack: …; HR was told". */
function describeBlockedThread(blocked: CaseDetail['blockedThreads'][number]): string {
  const cause = blockReasons[blocked.reason] ?? blocked.reason;
  const alert = blocked.alert;
  let alertStatus: string;
  if (alert === null) alertStatus = 'no alert is recorded';
  else if (alert.status === 'sent')
    alertStatus = `${audienceNames[alert.alertedAudience ?? ''] ?? alert.alertedAudience} was told`;
  else if (alert.status === 'pending') alertStatus = 'the alert is still queued';
  else alertStatus = `nobody could be told: ${alert.error}`;
  const audience = audienceNames[blocked.audience] ?? blocked.audience;
  return `not posted to ${audience} on ${blocked.platform}: ${cause}; ${alertStatus}`;
}

export async function runCasesAct(
  service: CaseService,
  out: Output,
  reference: string,
  eventType: string,
  options: ActOptions & { as?: string },
): Promise<number> {
  if (options.as === undefined)
    throw usageError('Missing --as <email>: the person who takes the action.');
  const event = eventFromOptions(eventType, options);
  const detail = await service.act(reference, options.as, event);
  out.result(detail, () => `${detail.key} is now ${detail.state} (priority ${detail.priority}).`);
  return 0;
}

export async function runAuditVerify(service: CaseService, out: Output): Promise<number> {
  const result = await service.verifyAudit();
  out.result(result, () =>
    result.ok
      ? `Audit trail verified: ${result.events} events (${result.redacted ?? 0} redacted), every chain intact.`
      : `Audit trail BROKEN after ${result.events} events: stream ${result.firstBreak?.stream}, event ${result.firstBreak?.seq}: ${result.firstBreak?.problem}`,
  );
  return result.ok ? 0 : EXIT_REJECTED;
}
