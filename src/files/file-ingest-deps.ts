import path from 'node:path';
import { createBusinessCalendar } from '../../workflows/business-calendar.ts';
import type { AppDeps } from '../main.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import { watchlistContextFrom } from '../people/watchlists.ts';
import { loadFileRules } from './file-rules.ts';
import { fileWatchRule } from './file-watch-rule.ts';
import type { FileIngestDeps } from './ingest-file-events.ts';

/** Returns the absolute path of the configured rule file, or null when none is configured. */
export function fileRulesPath(deps: Pick<AppDeps, 'config'>): string | null {
  const rules = deps.config.file.files.rules;
  if (rules === undefined) return null;
  const base =
    deps.config.configPath === null ? process.cwd() : path.dirname(deps.config.configPath);
  return path.resolve(base, rules);
}

/** Builds the volume path's dependencies from the application's; reads and validates the rules. */
export function createFileIngestDeps(
  deps: AppDeps,
  options: { notifier?: CaseNotifier; rulesPath?: string | null } = {},
): FileIngestDeps {
  const watch = watchlistContextFrom(deps.config.file);
  return {
    db: deps.store.db,
    logger: deps.logger,
    rules: loadFileRules(options.rulesPath === undefined ? fileRulesPath(deps) : options.rulesPath),
    reopenWindowHours: deps.config.file.intake.reopenWindowHours,
    notifier: options.notifier,
    calendar: createBusinessCalendar(deps.config.file.policy),
    watchRule: fileWatchRule(watch),
    watch,
  };
}
