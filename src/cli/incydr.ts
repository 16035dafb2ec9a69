import { CasebridgeError } from '../errors.ts';
import { createFileIngestDeps } from '../files/file-ingest-deps.ts';
import { createIncydrPullerFromConfig, INCYDR_PULL_JOB } from '../incydr/incydr-job.ts';
import type { IncydrPullSummary } from '../incydr/pull-incydr.ts';
import type { IncydrStream } from '../incydr/settings.ts';
import { createLeaderLock } from '../jobs/leader.ts';
import type { AppDeps } from '../main.ts';
import { EXIT_REJECTED, type Output } from './output.ts';

/**
 * Runs one Incydr pull, of one stream or of the configured ones, under the same lock as the
 * scheduled job. Returns 1 when a stream failed or skipped a page.
 */
export async function runIncydrPull(
  deps: AppDeps,
  out: Output,
  stream: IncydrStream | undefined,
): Promise<number> {
  const settings = deps.config.file.incydr;
  if (settings === undefined) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `The configuration ${deps.config.configPath ?? '(built-in defaults)'} has no incydr block. Add incydr.baseUrl as examples/casebridge.yaml shows, and set CASEBRIDGE_CONFIG to that file.`,
    );
  }
  const puller = createIncydrPullerFromConfig({
    db: deps.store.db,
    logger: deps.logger,
    settings,
    env: deps.config.env,
    intake: {
      db: deps.store.db,
      logger: deps.logger,
      reopenWindowHours: deps.config.file.intake.reopenWindowHours,
    },
    fileEvents: createFileIngestDeps(deps),
  });
  const leader = createLeaderLock({ store: deps.store, logger: deps.logger });

  const run = await leader.run(INCYDR_PULL_JOB, () =>
    puller.pull(stream === undefined ? settings.streams : [stream]),
  );
  if (!run.ran) {
    throw new CasebridgeError(
      'INCYDR_UNAVAILABLE',
      'Another Casebridge process is pulling from Incydr now. Try again when its pull has finished.',
    );
  }

  const summary = run.value;
  out.result(summary, () => formatPullSummary(summary));
  const clean = summary.streams.every((result) => result.status === 'succeeded');
  return clean ? 0 : EXIT_REJECTED;
}

function formatPullSummary(summary: IncydrPullSummary): string {
  const lines = summary.streams.map((result) => {
    const handled = Object.entries(result.handled)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ');
    return [
      `${result.stream}: ${result.status}, ${result.records} records in ${result.pages} pages`,
      result.skippedPages > 0 ? `, ${result.skippedPages} pages skipped` : '',
      handled === '' ? '' : ` (${handled})`,
      result.window === null ? '' : ` from ${result.window.from} to ${result.window.to}`,
      result.error === undefined ? '' : `\n  ${result.error.code}: ${result.error.message}`,
    ].join('');
  });
  if (lines.length === 0) lines.push('Nothing to pull: every window is up to date.');
  lines.push(
    `${summary.requests} requests, ${summary.tokensIssued} tokens, ${summary.retries} retries, ${summary.durationMs} ms`,
  );
  return lines.join('\n');
}
