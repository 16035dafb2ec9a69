import { validate } from 'node-cron';
import { z } from 'zod';

/** The Incydr streams Casebridge pulls. */
export const incydrStreams = ['sessions', 'file-events'] as const;
export type IncydrStream = (typeof incydrStreams)[number];

/** The `incydr:` block of the configuration file; the credentials come from the environment. */
export const incydrSettingsSchema = z.strictObject({
  /** The tenant's API gateway, such as https://api.us.code42.com. */
  baseUrl: z.url({
    protocol: /^https?$/,
    error: 'must be an http(s) URL such as https://api.us.code42.com',
  }),
  /** node-cron expression of the scheduled pull. */
  pollEvery: z
    .string()
    .default('*/5 * * * *')
    .refine((value) => validate(value), {
      error: (issue) => `${String(issue.input)} is not a cron expression such as '*/5 * * * *'`,
    }),
  streams: z
    .array(z.enum(incydrStreams))
    .min(1, 'must name at least one stream')
    .default([...incydrStreams]),
  /** Request budget of the whole client, OAuth requests and retries included. */
  requestsPerMinute: z.int().min(1).max(6000).default(120),
  /** How far back the first pull of a stream reaches, in hours. */
  firstPullHours: z.number().positive().default(24),
  /** A window ends this many seconds before the pull starts, so that Incydr has indexed its events. */
  settleSeconds: z.number().min(0).default(120),
  /**
   * Hours before its window that a sessions pull reads again. Sessions are filtered by begin time
   * and appear only once Incydr alerts on them. Intake drops the sessions it already has.
   */
  sessionsLookbackHours: z.number().min(0).default(24),
  /** File events per page; the v2 search accepts up to 10,000. */
  fileEventsPageSize: z.int().min(1).max(10_000).default(1000),
  /** Sessions per page; the sessions search accepts up to 50. */
  sessionsPageSize: z.int().min(1).max(50).default(50),
  /** How far past the last file event handed on a pull moves its window when a page is bad. */
  badPageSkipSeconds: z.number().positive().default(1),
  /** Retries of one request after a network error, 429 or 5xx. */
  maxRetries: z.int().min(0).max(20).default(5),
});

export type IncydrSettings = z.infer<typeof incydrSettingsSchema>;
