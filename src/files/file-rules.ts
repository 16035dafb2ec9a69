import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type Priority, priorities } from '../../workflows/case-events.ts';
import { CasebridgeError } from '../errors.ts';
import { sensitivities } from './critical-file-registry.ts';

const patternList = z.array(z.string().trim().min(1, 'must not be empty')).default([]);

/**
 * A matcher: it matches an event when every list it gives matches (lists left out match
 * anything). Text compares without regard to case.
 */
const matcherSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty'),
    /** Destination names, e.g. "Box (corporate)". */
    destinations: patternList,
    /** Incydr destination categories, e.g. "Cloud Storage", "Removable Media". */
    destinationCategories: patternList,
    /** Domains; each also matches its subdomains. */
    domains: patternList,
    /** Executable names ("backup.exe") or full paths. */
    processes: patternList,
    /** User e-mail addresses or ids, e.g. service accounts. */
    users: patternList,
    fileCategories: patternList,
  })
  .refine(
    (rule) =>
      rule.destinations.length +
        rule.destinationCategories.length +
        rule.domains.length +
        rule.processes.length +
        rule.users.length +
        rule.fileCategories.length >
      0,
    {
      error:
        'give at least one of destinations, destinationCategories, domains, processes, users, fileCategories',
    },
  );

export type FileRule = z.infer<typeof matcherSchema>;

const priorityEnum = z.enum(priorities);

const defaultThresholds = {
  anomalyFactor: 5,
  robustZ: 3,
  priority: { medium: 5, high: 10, critical: 25 },
  criticalFilePriority: { internal: 'medium', confidential: 'high', restricted: 'critical' },
  flagPriority: 'medium',
} as const;
const defaultBaseline = {
  days: 28,
  minHistoryDays: 7,
  newHireDays: 30,
  minEvents: 10,
  minBytes: 104_857_600,
};
const defaultThrottle = { maxNewCases: 1, windowHours: 24 };

/** The policy file of the file-event volume path: noise rules, thresholds and baseline settings. */
export const fileRulesSchema = z.strictObject({
  /** Events any of these rules match are stored but never count toward a baseline or a case. */
  suppress: z.array(matcherSchema).default([]),
  /** Events any of these rules match make their subject's case worth opening. */
  flag: z.array(matcherSchema).default([]),
  thresholds: z
    .strictObject({
      /** A day's volume this many times the baseline median is an anomaly. */
      anomalyFactor: z.number().gt(1).default(defaultThresholds.anomalyFactor),
      /** ...and it must also lie this many scaled MADs above the median. */
      robustZ: z.number().min(0).default(defaultThresholds.robustZ),
      /** The anomaly factor from which a case gets each priority; below `medium` it is low. */
      priority: z
        .strictObject({ medium: z.number(), high: z.number(), critical: z.number() })
        .refine((p) => p.medium <= p.high && p.high <= p.critical, {
          error: 'must rise: medium ≤ high ≤ critical',
        })
        .default({ ...defaultThresholds.priority }),
      /** The priority of a case with a critical file of each sensitivity. */
      criticalFilePriority: z
        .strictObject(
          Object.fromEntries(sensitivities.map((s) => [s, priorityEnum])) as Record<
            (typeof sensitivities)[number],
            typeof priorityEnum
          >,
        )
        .default({ ...defaultThresholds.criticalFilePriority }),
      /** The priority of a case that a flag rule opened. */
      flagPriority: priorityEnum.default(defaultThresholds.flagPriority),
    })
    .default({
      ...defaultThresholds,
      priority: { ...defaultThresholds.priority },
      criticalFilePriority: { ...defaultThresholds.criticalFilePriority },
    }),
  throttle: z
    .strictObject({
      /** At most this many new cases per subject from file events within the window. */
      maxNewCases: z.number().int().min(0).default(defaultThrottle.maxNewCases),
      windowHours: z.number().positive().default(defaultThrottle.windowHours),
    })
    .default({ ...defaultThrottle }),
  baseline: z
    .strictObject({
      /** Days of history before the event's day that the median and MAD are taken over. */
      days: z.number().int().min(3).max(366).default(defaultBaseline.days),
      /** Fewer days since the first activity than this, and the department baseline applies. */
      minHistoryDays: z.number().int().min(1).default(defaultBaseline.minHistoryDays),
      /** People hired fewer days ago than this are judged by the department baseline. */
      newHireDays: z.number().int().min(0).default(defaultBaseline.newHireDays),
      /** The smallest median the factor divides by, so a quiet baseline does not inflate it. */
      minEvents: z.number().positive().default(defaultBaseline.minEvents),
      minBytes: z.number().positive().default(defaultBaseline.minBytes),
    })
    .default({ ...defaultBaseline }),
});

export type FileRules = z.infer<typeof fileRulesSchema>;

/** Rules with where they came from and the SHA-256 of the file, which the audit trail records. */
export interface LoadedFileRules {
  rules: FileRules;
  /** Absolute path of the rule file, or null for the built-in defaults. */
  path: string | null;
  sha256: string;
}

/** Parses rule YAML; errors name the key at fault and the file. */
export function parseFileRules(text: string, path: string | null): LoadedFileRules {
  const where = path ?? 'the rules';
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `File rules ${where} are not valid YAML: ${(error as Error).message}`,
    );
  }
  const result = fileRulesSchema.safeParse(document ?? {});
  if (!result.success) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `Invalid file rules in ${where}:\n${z.prettifyError(result.error)}\nSee examples/files-rules.yaml for every key.`,
    );
  }
  return {
    rules: result.data,
    path,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}

/** Reads a rule file, or returns the built-in defaults when `path` is null. */
export function loadFileRules(path: string | null): LoadedFileRules {
  if (path === null) return parseFileRules('', null);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `File rules ${path} could not be read: ${(error as Error).message}. Check the path given by --rules or by files.rules in the configuration.`,
    );
  }
  return parseFileRules(text, path);
}

/** The fields of an event that rules look at. */
export interface RuleSubjectEvent {
  destinationName: string | null;
  destinationCategory: string | null;
  domains: readonly string[];
  process: string | null;
  userEmail: string | null;
  userIds: readonly string[];
  fileCategory: string | null;
}

/**
 * Tells whether a rule matches. For suppression, `domains` needs every domain of the event to be
 * listed, because an e-mail to a trusted and an untrusted domain is not trusted. For flagging, one
 * listed domain is enough.
 */
export function ruleMatches(
  rule: FileRule,
  event: RuleSubjectEvent,
  mode: 'suppress' | 'flag',
): boolean {
  if (!listMatches(rule.destinations, event.destinationName)) return false;
  if (!listMatches(rule.destinationCategories, event.destinationCategory)) return false;
  if (!listMatches(rule.fileCategories, event.fileCategory)) return false;
  if (rule.processes.length > 0 && !processMatches(rule.processes, event.process)) return false;
  if (rule.users.length > 0) {
    const users = [event.userEmail, ...event.userIds].filter((user) => user !== null);
    if (!users.some((user) => listMatches(rule.users, user))) return false;
  }
  if (rule.domains.length > 0) {
    if (event.domains.length === 0) return false;
    const listed = (domain: string) => rule.domains.some((entry) => domainMatches(entry, domain));
    if (mode === 'suppress' ? !event.domains.every(listed) : !event.domains.some(listed))
      return false;
  }
  return true;
}

/** Returns the first suppression rule that matches, or null. */
export function findSuppression(rules: FileRules, event: RuleSubjectEvent): FileRule | null {
  return rules.suppress.find((rule) => ruleMatches(rule, event, 'suppress')) ?? null;
}

/** Returns the first flag rule that matches, or null. */
export function findFlag(rules: FileRules, event: RuleSubjectEvent): FileRule | null {
  return rules.flag.find((rule) => ruleMatches(rule, event, 'flag')) ?? null;
}

/** Maps an anomaly factor to a priority with the configured steps. */
export function priorityForFactor(rules: FileRules, factor: number): Priority {
  const steps = rules.thresholds.priority;
  if (factor >= steps.critical) return 'critical';
  if (factor >= steps.high) return 'high';
  if (factor >= steps.medium) return 'medium';
  return 'low';
}

function listMatches(list: readonly string[], value: string | null): boolean {
  if (list.length === 0) return true;
  if (value === null) return false;
  const lower = value.toLowerCase();
  return list.some((entry) => entry.toLowerCase() === lower);
}

function processMatches(list: readonly string[], process: string | null): boolean {
  if (process === null) return false;
  const lower = process.toLowerCase();
  const base = lower.split(/[\\/]/).pop() ?? lower;
  return list.some((entry) => {
    const wanted = entry.toLowerCase();
    return wanted === lower || wanted === base;
  });
}

function domainMatches(entry: string, domain: string): boolean {
  const wanted = entry.toLowerCase().replace(/^\*?\./, '');
  const lower = domain.toLowerCase();
  return lower === wanted || lower.endsWith(`.${wanted}`);
}
