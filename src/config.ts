import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validate as isCronExpression } from 'node-cron';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  defaultBusinessCalendarSpec,
  isCalendarDate,
  isValidTimeZone,
  parseClockTime,
  weekdays,
} from '../workflows/business-calendar.ts';
import { type Locale, locales } from './chat/messages/index.ts';
import { CasebridgeError } from './errors.ts';
import { incydrSettingsSchema } from './incydr/settings.ts';
import { retentionConfigSchema } from './retention/retention-policy.ts';
import { subjectExportConfigSchema } from './subject-access/subject-export-config.ts';

/** Names of the detection feeds that `ingest` and `POST /feeds/<feed>` accept. */
export const feedNames = ['incydr', 'exabeam', 'purview', 'webhook'] as const;
export type FeedName = (typeof feedNames)[number];

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

const envSchema = z.object({
  DATABASE_URL: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CASEBRIDGE_DATA_DIR: z.string().default('./.casebridge'),
  CASEBRIDGE_CONFIG: optionalString,
  FEED_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  FEED_SECRET_INCYDR: optionalString,
  FEED_SECRET_EXABEAM: optionalString,
  FEED_SECRET_PURVIEW: optionalString,
  FEED_SECRET_WEBHOOK: optionalString,
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: optionalString,
  TEAMS_CLIENT_ID: optionalString,
  TEAMS_CLIENT_SECRET: optionalString,
  TEAMS_TENANT_ID: optionalString,
  TEAMS_ALLOW_UNAUTHENTICATED: optionalString,
  /** Bot Framework service URL for proactive messages; the public cloud's when unset. */
  TEAMS_SERVICE_URL: optionalString,
  SCIM_TOKEN: optionalString,
  CONSOLE_TOKEN: optionalString,
  /** Cron expression (node-cron, optional seconds field) of the SLA timer job; every minute when unset. */
  CASEBRIDGE_TIMERS_CRON: optionalString,
  /** Incydr API client key id and secret, for the scheduled pull (`incydr:` in the configuration). */
  INCYDR_CLIENT_ID: optionalString,
  INCYDR_CLIENT_SECRET: optionalString,
});

export type Env = z.infer<typeof envSchema>;

const personSchema = z.object({
  email: z.string().email(),
  name: z.string().min(1),
  manager: z.string().email().optional(),
  department: z.string().optional(),
  employeeNumber: z.string().optional(),
  locale: z.string().optional(),
  /** ISO 3166-1 alpha-2 country of employment; retention rules per country use it. */
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as DE')
    .optional(),
  /** Ids that detection tools use for this person: Exabeam user names, Incydr actor ids, Entra object ids. */
  ids: z.array(z.string().min(1)).default([]),
  /** IANA time zone of the person's workplace; watchlist windows end at its midnight. */
  timeZone: z
    .string()
    .refine(isValidTimeZone, {
      error: (issue) =>
        `${String(issue.input)} is not a known IANA time zone; use a name such as Europe/Berlin`,
    })
    .optional(),
  hireDate: z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD').optional(),
  noticeDate: z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD').optional(),
  lastWorkingDay: z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD').optional(),
});

export type PersonInput = z.infer<typeof personSchema>;

const localeSchema = z.enum(locales, {
  error: (issue) =>
    `${String(issue.input)} is not a supported locale; use one of ${locales.join(', ')}`,
});

const platformKeys = ['slack', 'teams', 'console'] as const;

/**
 * Rewrites the long form of a platform entry, `slack: { channel: C…, locale: ja }`, into the short
 * form `slack: C…` plus `locales.slack: ja`, so that both forms validate with the same messages.
 */
function flattenChannelEntries(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const entry = { ...(value as Record<string, unknown>) };
  const localesByPlatform: Record<string, unknown> = {};
  for (const platform of platformKeys) {
    const channel = entry[platform];
    if (typeof channel !== 'object' || channel === null || !('channel' in channel)) continue;
    const { channel: id, locale, ...rest } = channel as Record<string, unknown>;
    if (Object.keys(rest).length > 0) continue;
    entry[platform] = id;
    if (locale !== undefined) localesByPlatform[platform] = locale;
  }
  if (Object.keys(localesByPlatform).length > 0) entry.locales = localesByPlatform;
  return entry;
}

const channelsSchema = z.preprocess(
  flattenChannelEntries,
  z.strictObject({
    /** Slack channel id, such as C0123456789 (not the channel name). */
    slack: z
      .string()
      .regex(
        /^[CG][A-Z0-9]{6,}$/,
        'must be a Slack channel id such as C0123456789, not a channel name',
      )
      .optional(),
    /** Teams channel conversation id. */
    teams: z.string().min(1).optional(),
    /** Channel name in the local console at /console, such as security. */
    console: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]{0,79}$/,
        'must be a console channel name of lower-case letters, digits, - and _, such as security',
      )
      .optional(),
    /** The locale of every text posted to this audience's channels; English when unset. */
    locale: localeSchema.optional(),
    /** The locale per platform, from the long form `slack: { channel, locale }`; wins over `locale`. */
    locales: z
      .strictObject({
        slack: localeSchema.optional(),
        teams: localeSchema.optional(),
        console: localeSchema.optional(),
      })
      .optional(),
  }),
);

const clockTimeSchema = z.string().refine((value) => parseClockTime(value) !== null, {
  error: (issue) => `${String(issue.input)} is not a time HH:MM from 00:00 to 24:00`,
});

/**
 * Business calendar of the SLA clocks.
 * NOTE: one calendar serves every case because cases carry no region yet. Per-region calendars
 * would choose one by the subject's region.
 */
const policySchema = z
  .strictObject({
    timeZone: z
      .string()
      .default(defaultBusinessCalendarSpec.timeZone)
      .refine(isValidTimeZone, {
        error: (issue) =>
          `${String(issue.input)} is not a known IANA time zone; use a name such as Europe/Berlin or America/New_York`,
      }),
    workingDays: z
      .array(z.enum(weekdays))
      .min(1, 'must name at least one day')
      .default([...defaultBusinessCalendarSpec.workingDays]),
    workingHours: z
      .strictObject({ start: clockTimeSchema, end: clockTimeSchema })
      .default({ ...defaultBusinessCalendarSpec.workingHours })
      .refine(
        (hours) => {
          const start = parseClockTime(hours.start);
          const end = parseClockTime(hours.end);
          return start !== null && end !== null && start < 24 * 60 && end > start;
        },
        { error: 'end must be later than start, and start earlier than 24:00' },
      ),
    holidays: z
      .array(
        z.string().refine(isCalendarDate, {
          error: (issue) => `${String(issue.input)} is not a date YYYY-MM-DD`,
        }),
      )
      .default([]),
    /** Local time (in `timeZone`) of the daily digest of waiting cases in each role channel. */
    digest: z
      .strictObject({
        time: clockTimeSchema.refine((value) => value !== '24:00', {
          error: 'use 00:00 instead of 24:00',
        }),
      })
      .default({ time: '08:30' }),
  })
  .default(() => ({
    timeZone: defaultBusinessCalendarSpec.timeZone,
    workingDays: [...defaultBusinessCalendarSpec.workingDays],
    workingHours: { ...defaultBusinessCalendarSpec.workingHours },
    holidays: [...defaultBusinessCalendarSpec.holidays],
    digest: { time: '08:30' },
  }));

const configFileSchema = z.strictObject({
  directory: z
    .strictObject({
      /** A YAML file with a `people:` list, relative to the configuration file. */
      file: z.string().optional(),
      people: z.array(personSchema).default([]),
    })
    .default({ people: [] }),
  roles: z
    .strictObject({
      security: z.array(z.string().email()).default([]),
      hr: z.array(z.string().email()).default([]),
      legal: z.array(z.string().email()).default([]),
      /** Privacy officers: they approve or reject identity reveals besides HR, and may run subject access exports; they act on no case. */
      privacy: z.array(z.string().email()).default([]),
    })
    .default({ security: [], hr: [], legal: [], privacy: [] }),
  intake: z
    .strictObject({
      /** A signal that arrives this soon after the subject's case closed reopens it; later ones open a new case. */
      reopenWindowHours: z.number().min(0).default(72),
    })
    .default({ reopenWindowHours: 72 }),
  /** The channel of each audience's case threads, per chat platform. The manager is reached by direct message. */
  routing: z
    .strictObject({
      security: channelsSchema.optional(),
      hr: channelsSchema.optional(),
      legal: channelsSchema.optional(),
    })
    .default({}),
  /** Business calendar in which SLA hours count and reminders may be sent. */
  policy: policySchema,
  /** The scheduled pull from the Incydr API; off when absent. */
  incydr: incydrSettingsSchema.optional(),
  /** Scheduled import of an HR export in the format of `casebridge people import`. */
  hrSync: z
    .strictObject({
      /** The CSV file, relative to the configuration file. */
      file: z.string().min(1),
      /** node-cron expression, read in policy.timeZone. */
      schedule: z.string().refine(isCronExpression, {
        error: (issue) =>
          `${String(issue.input)} is not a cron expression; use five or six fields such as '0 2 * * *'`,
      }),
      /** Deactivates active people whom the file does not list. */
      deactivateMissing: z.boolean().default(false),
    })
    .optional(),
  /** The file-event volume path: `rules` names its policy YAML, relative to this file. */
  files: z.strictObject({ rules: z.string().min(1).optional() }).default({}),
  privacy: z
    .strictObject({
      /** How long an approved identity reveal lasts before security sees a fresh pseudonym. */
      revealHours: z
        .number()
        .positive()
        .max(24 * 30)
        .default(24),
      export: subjectExportConfigSchema,
    })
    .default({ revealHours: 24, export: { redactOpenCases: true } }),
  /** Anonymisation of closed cases and deletion of raw signals; off when absent. */
  retention: retentionConfigSchema.optional(),
  /** Lifecycle watchlist windows, counted in days of the person's local calendar. */
  watchlists: z
    .strictObject({
      departing: z
        .strictObject({ daysAfterLastDay: z.int().min(0).max(3650).default(30) })
        .default({ daysAfterLastDay: 30 }),
      newHires: z
        .strictObject({ days: z.int().min(1).max(3650).default(90) })
        .default({ days: 90 }),
    })
    .default({ departing: { daysAfterLastDay: 30 }, newHires: { days: 90 } }),
});

export type FileConfig = z.infer<typeof configFileSchema>;

export interface Config {
  env: Env;
  /** Absolute path of the configuration file, or null when the built-in defaults are in use. */
  configPath: string | null;
  file: FileConfig;
  people: PersonInput[];
}

/** Parses the environment; fails naming each invalid variable. */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `Invalid environment variable (${problems}). Fix the variable in the environment.`,
    );
  }
  return result.data;
}

/**
 * Loads the environment and the YAML configuration. `CASEBRIDGE_CONFIG` names the file; without
 * it `defaultConfigPath` (`./casebridge.yaml`) is read when present, and the built-in defaults
 * apply otherwise.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
  defaultConfigPath = 'casebridge.yaml',
): Config {
  const parsedEnv = parseEnv(env);
  const explicit = parsedEnv.CASEBRIDGE_CONFIG;
  const configPath = path.resolve(cwd, explicit ?? defaultConfigPath);

  if (!existsSync(configPath)) {
    if (explicit !== undefined) {
      throw new CasebridgeError(
        'CONFIG_INVALID',
        `Configuration file ${configPath} (from CASEBRIDGE_CONFIG) was not found. Set CASEBRIDGE_CONFIG to an existing file or unset it to use the defaults.`,
      );
    }
    const file = configFileSchema.parse({});
    return { env: parsedEnv, configPath: null, file, people: [] };
  }

  const file = parseConfigFile(configPath);
  const people = [...file.directory.people];
  if (file.directory.file !== undefined) {
    const directoryPath = path.resolve(path.dirname(configPath), file.directory.file);
    people.push(...readDirectoryFile(directoryPath));
  }
  return { env: parsedEnv, configPath, file, people };
}

function parseConfigFile(configPath: string): FileConfig {
  const document = readYaml(configPath);
  const result = configFileSchema.safeParse(document ?? {});
  if (!result.success) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `Invalid configuration in ${configPath}:\n${z.prettifyError(result.error)}\nSee examples/casebridge.yaml for every key.`,
    );
  }
  return result.data;
}

function readDirectoryFile(directoryPath: string): PersonInput[] {
  if (!existsSync(directoryPath)) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `Directory file ${directoryPath} (directory.file in the configuration) was not found.`,
    );
  }
  const result = z
    .strictObject({ people: z.array(personSchema) })
    .safeParse(readYaml(directoryPath));
  if (!result.success) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `Invalid directory file ${directoryPath}:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data.people;
}

function readYaml(filePath: string): unknown {
  try {
    return parseYaml(readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `Could not read ${filePath} as YAML: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Returns the locale of the texts posted to an audience's channel on a platform: the platform
 * entry's own locale, else the audience's `locale`, else English.
 */
export function channelLocale(
  routing: FileConfig['routing'],
  audience: 'security' | 'hr' | 'legal',
  platform: string,
): Locale {
  const channels = routing[audience];
  if (channels === undefined) return 'en';
  const perPlatform =
    platform === 'slack' || platform === 'teams' || platform === 'console'
      ? channels.locales?.[platform]
      : undefined;
  return perPlatform ?? channels.locale ?? 'en';
}

/** Returns the secret configured for a feed endpoint, if any. */
export function feedSecret(env: Env, feed: FeedName): string | undefined {
  const key = `FEED_SECRET_${feed.toUpperCase()}` as keyof Env;
  const value = env[key];
  return typeof value === 'string' ? value : undefined;
}
