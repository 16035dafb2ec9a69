import { readFileSync } from 'node:fs';
import { verifyAudit } from '../audit/verify-audit.ts';
import { actOnCase } from '../cases/act-on-case.ts';
import { listCases } from '../cases/list-cases.ts';
import { showCase } from '../cases/show-case.ts';
import { type FeedName, feedNames } from '../config.ts';
import { CasebridgeError } from '../errors.ts';
import { type IngestSummary, ingestFeed } from '../intake/ingest-feed.ts';
import type { AppDeps } from '../main.ts';
import { syncDirectory } from '../people/sync-directory.ts';
import { type ActOptions, eventFromOptions } from './case-event-options.ts';
import { EXIT_REJECTED, type Output, usageError } from './output.ts';

/** Applies migrations and loads the configured directory; every command that reads cases runs it first. */
export async function prepareStore(deps: AppDeps): Promise<void> {
  await deps.store.migrate();
  await syncDirectory(deps.store.db, deps.config);
}

export async function runMigrate(deps: AppDeps, out: Output): Promise<number> {
  await deps.store.migrate();
  out.result(
    { migrated: true, store: deps.store.kind },
    () => `Migrations applied (${deps.store.kind}).`,
  );
  return 0;
}

export async function runIngest(
  deps: AppDeps,
  out: Output,
  feed: string,
  source: string,
): Promise<number> {
  if (!feedNames.includes(feed as FeedName)) {
    throw usageError(`Unknown feed "${feed}"; use one of ${feedNames.join(', ')}.`);
  }
  const text = readInput(source);
  await prepareStore(deps);
  const summary = await ingestFeed(
    {
      db: deps.store.db,
      logger: deps.logger,
      reopenWindowHours: deps.config.file.intake.reopenWindowHours,
    },
    { feed: feed as FeedName, text, atomic: false },
  );
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
  deps: AppDeps,
  out: Output,
  state: string | undefined,
): Promise<number> {
  await prepareStore(deps);
  const rows = await listCases(deps.store.db, state === undefined ? {} : { state });
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

export async function runCasesShow(deps: AppDeps, out: Output, reference: string): Promise<number> {
  await prepareStore(deps);
  const detail = await showCase(deps.store.db, reference);
  out.result(detail, () => {
    const lines = [
      `${detail.key}  ${detail.state}  priority ${detail.priority}${detail.legalHold ? '  LEGAL HOLD' : ''}`,
      `subject: ${detail.subject.key}${detail.subject.resolved ? '' : ' (not in the directory)'}`,
      `audiences: ${detail.audiences.join(', ')}`,
      `signals (${detail.signals.length}):`,
      ...detail.signals.map(
        (signal) => `  ${signal.observedAt} ${signal.source} ${signal.severity} ${signal.title}`,
      ),
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

export async function runCasesAct(
  deps: AppDeps,
  out: Output,
  reference: string,
  eventType: string,
  options: ActOptions & { as?: string },
): Promise<number> {
  if (options.as === undefined)
    throw usageError('Missing --as <email>: the person who takes the action.');
  const event = eventFromOptions(eventType, options);
  await prepareStore(deps);
  await actOnCase(
    { db: deps.store.db, logger: deps.logger },
    { caseRef: reference, actorEmail: options.as, event },
  );
  const detail = await showCase(deps.store.db, reference);
  out.result(detail, () => `${detail.key} is now ${detail.state} (priority ${detail.priority}).`);
  return 0;
}

export async function runAuditVerify(deps: AppDeps, out: Output): Promise<number> {
  await deps.store.migrate();
  const result = await verifyAudit(deps.store.db);
  out.result(result, () =>
    result.ok
      ? `Audit trail verified: ${result.events} events, every chain intact.`
      : `Audit trail BROKEN after ${result.events} events: stream ${result.firstBreak?.stream}, event ${result.firstBreak?.seq}: ${result.firstBreak?.problem}`,
  );
  return result.ok ? 0 : EXIT_REJECTED;
}
