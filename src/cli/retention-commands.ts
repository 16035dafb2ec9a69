import { writeFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { CasebridgeError } from '../errors.ts';
import type { DataProtectionService } from '../retention/data-protection-service.ts';
import { openDataProtectionService } from '../retention/open-data-protection-service.ts';
import type { RetentionPlan } from '../retention/plan-retention.ts';
import type { RetentionRunResult } from '../retention/run-retention.ts';
import { createOutput, EXIT_REJECTED, type Output, reportError, usageError } from './output.ts';

type Runner = (service: DataProtectionService, output: Output) => Promise<number>;

async function execute(json: boolean, run: Runner): Promise<void> {
  let opened: Awaited<ReturnType<typeof openDataProtectionService>> | undefined;
  try {
    opened = await openDataProtectionService();
    process.exitCode = await run(opened.service, createOutput(json));
  } catch (error) {
    process.exitCode = reportError(error, json);
  } finally {
    await opened?.close().catch(() => {});
  }
}

const day = (iso: string) => iso.slice(0, 10);

export function formatRetentionPlan(plan: RetentionPlan): string {
  const lines = [`Retention plan as of ${plan.asOf}:`];
  if (plan.cases.length === 0) lines.push('  no closed case is past its retention period');
  for (const entry of plan.cases) {
    const action = entry.action === 'held' ? 'HELD (legal hold), skipped' : 'anonymise';
    lines.push(
      `  ${entry.key}  closed ${day(entry.closedAt)}  ${entry.ageDays} days old  ${entry.rule} = ${entry.retentionDays} days  ${action}`,
    );
  }
  if (plan.signals !== null) {
    lines.push(
      `Raw signal payloads to delete (received before ${day(plan.signals.receivedBefore)}, closed cases only): ${plan.signals.rawPayloads}`,
    );
  }
  if (plan.fileEvents !== null) {
    const { observedBefore, partitions, defaultRows } = plan.fileEvents;
    lines.push(
      `File-event partitions to drop (events before ${observedBefore}): ${partitions.length === 0 ? 'none' : partitions.join(', ')}; older rows of the default partition to delete: ${defaultRows}`,
    );
  }
  return lines.join('\n');
}

export function formatRetentionRun(result: RetentionRunResult): string {
  const lines = [`Retention run as of ${result.asOf}:`];
  for (const entry of result.anonymised)
    lines.push(`  ${entry.key}  anonymised (${entry.rule}, ${entry.ageDays} days old)`);
  for (const entry of result.held) lines.push(`  ${entry.key}  held (legal hold), skipped`);
  for (const entry of result.skipped) lines.push(`  ${entry.key}  skipped: ${entry.reason}`);
  for (const entry of result.failed) lines.push(`  ${entry.key}  FAILED: ${entry.error}`);
  lines.push(
    `anonymised ${result.anonymised.length}, held ${result.held.length}, skipped ${result.skipped.length}, failed ${result.failed.length}`,
  );
  if (result.rawSignalsDeleted !== null)
    lines.push(`raw signal payloads deleted: ${result.rawSignalsDeleted}`);
  if (result.fileEvents !== null) {
    const dropped = result.fileEvents.length === 0 ? 'none' : result.fileEvents.join(', ');
    lines.push(`file-event partitions dropped: ${dropped}`);
  }
  return lines.join('\n');
}

async function exportToOutput(
  service: DataProtectionService,
  out: Output,
  subject: string,
  options: { as?: string; out?: string },
): Promise<number> {
  if (options.as === undefined)
    throw usageError('Missing --as <email>: the person who runs the export.');
  const document = await service.exportSubject(subject, options.as);
  if (options.out === undefined) {
    out.result(document, () => JSON.stringify(document, null, 2));
    return 0;
  }

  try {
    // The export contains personal data, so only the owner may read the file.
    writeFileSync(options.out, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Could not write ${options.out}: ${(error as Error).message}. Give a writable path for --out.`,
    );
  }
  const withheld = document.cases.filter((entry) => entry.withheld).map((entry) => entry.key);
  const summary = {
    out: options.out,
    subject: document.subject,
    cases: document.cases.length,
    withheldCases: withheld,
  };
  out.result(summary, () =>
    [
      `Export of ${document.subject} written to ${options.out}: ${document.cases.length} cases.`,
      ...(withheld.length > 0
        ? [`Evidence and notes withheld (open investigation): ${withheld.join(', ')}`]
        : []),
    ].join('\n'),
  );
  return 0;
}

/** Adds `retention plan|run` and `subject export` to the program. */
export function registerRetentionCommands(program: Command, json: Option): void {
  const asOfHelp =
    'measure retention periods at this date (YYYY-MM-DD or ISO 8601 time) instead of now';
  const retention = program
    .command('retention')
    .description('anonymise closed cases after their retention period (see docs/retention.md)');
  retention
    .command('plan')
    .description('list what the next run would anonymise and which cases are held; changes nothing')
    .option('--as-of <date>', `${asOfHelp}; a future date previews a later run`)
    .addOption(json)
    .action((options: { asOf?: string; json?: boolean }) =>
      execute(options.json === true, async (service, output) => {
        const plan = await service.planRetention(options.asOf);
        output.result(plan, () => formatRetentionPlan(plan));
        return 0;
      }),
    );
  retention
    .command('run')
    .description(
      'anonymise the due cases, each in its own transaction, and delete expired raw signals',
    )
    .option('--as-of <date>', `${asOfHelp}; must not be later than now`)
    .addOption(json)
    .action((options: { asOf?: string; json?: boolean }) =>
      execute(options.json === true, async (service, output) => {
        const result = await service.runRetention(options.asOf);
        output.result(result, () => formatRetentionRun(result));
        return result.failed.length > 0 ? EXIT_REJECTED : 0;
      }),
    );

  const subject = program.command('subject').description('data subject requests');
  subject
    .command('export')
    .description(
      'export what Casebridge holds about a person (directory record, cases, signals, audit entries, watchlists)',
    )
    .argument('<email>', "the data subject's e-mail address")
    .requiredOption(
      '--as <email>',
      'e-mail of the person running the export; needs the hr or privacy role',
    )
    .option(
      '--out <file>',
      'write the export to this file (readable by its owner only) instead of stdout',
    )
    .addOption(json)
    .action((email: string, options: { as?: string; out?: string; json?: boolean }) =>
      execute(options.json === true, (service, output) =>
        exportToOutput(service, output, email, options),
      ),
    );
}
