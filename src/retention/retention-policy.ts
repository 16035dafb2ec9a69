import { validate } from 'node-cron';
import { z } from 'zod';
import { type CaseOutcome, caseOutcomes } from '../../workflows/case-events.ts';

/** Days from 1 to 100 years; a retention period is never zero, so a case always survives its closing day. */
const retentionDays = z
  .number({ error: 'must be a number of days' })
  .int('must be a whole number of days')
  .min(1, 'must be at least 1 day')
  .max(36_500, 'must be at most 36500 days (100 years)');

/** One optional number of days per case outcome; an unknown outcome is rejected with its name. */
const outcomeDaysSchema = z.strictObject(
  Object.fromEntries(caseOutcomes.map((outcome) => [outcome, retentionDays.optional()])) as Record<
    CaseOutcome,
    z.ZodOptional<typeof retentionDays>
  >,
);

const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 country code such as DE or FR');

const countryRuleSchema = z.strictObject({
  /** Days for every outcome of the country that `outcomes` does not list. */
  days: retentionDays.optional(),
  outcomes: outcomeDaysSchema.optional(),
});

/**
 * The `retention` block of the configuration file. Without it, retention never runs: nothing is
 * anonymised and no raw signal is deleted.
 */
export const retentionConfigSchema = z.strictObject({
  default: z.strictObject({ days: retentionDays }),
  outcomes: outcomeDaysSchema.default({}),
  countries: z.record(countryCode, countryRuleSchema).default({}),
  /** Days after which the raw payloads of the signals of closed cases are deleted. */
  signalsDays: retentionDays.optional(),
  /** Days after which file-event partitions are dropped, when the file-event store is present. */
  fileEventsDays: retentionDays.optional(),
  /** node-cron expression of the daily run, read in `policy.timeZone`. */
  schedule: z
    .string()
    .default('30 3 * * *')
    .refine(validate, {
      error: (issue) =>
        `${String(issue.input)} is not a valid cron expression; use five fields such as "30 3 * * *"`,
    }),
});

export type RetentionConfig = z.infer<typeof retentionConfigSchema>;

/** The retention period that applies to one case, and the configuration key it comes from. */
export interface RetentionRule {
  /** The key path, such as `countries.DE.outcomes.false_positive` or `default.days`. */
  rule: string;
  days: number;
}

/**
 * Picks the retention period of a closed case. The most specific entry wins, in this order:
 * `countries.<country>.outcomes.<outcome>`, `countries.<country>.days`, `outcomes.<outcome>`,
 * `default.days`. A country entry therefore overrides the general per-outcome periods for every
 * outcome it does not list itself, because it states what that country's law or agreement allows.
 */
export function retentionRuleFor(
  config: RetentionConfig,
  outcome: CaseOutcome | null,
  country: string | null,
): RetentionRule {
  const code = country?.trim().toUpperCase() ?? null;
  const countryRule = code === null ? undefined : config.countries[code];

  if (countryRule !== undefined) {
    const countryOutcome = outcome === null ? undefined : countryRule.outcomes?.[outcome];
    if (countryOutcome !== undefined) {
      return { rule: ['countries', code, 'outcomes', outcome].join('.'), days: countryOutcome };
    }
    if (countryRule.days !== undefined)
      return { rule: ['countries', code, 'days'].join('.'), days: countryRule.days };
  }

  const outcomeDays = outcome === null ? undefined : config.outcomes[outcome];
  if (outcomeDays !== undefined)
    return { rule: ['outcomes', outcome].join('.'), days: outcomeDays };
  return { rule: 'default.days', days: config.default.days };
}

/** Returns the shortest period any rule of the configuration gives, to narrow the cases to look at. */
export function shortestRetentionDays(config: RetentionConfig): number {
  const all = [config.default.days, ...Object.values(config.outcomes)];
  for (const country of Object.values(config.countries)) {
    if (country.days !== undefined) all.push(country.days);
    all.push(...Object.values(country.outcomes ?? {}));
  }
  return Math.min(...all.filter((days): days is number => days !== undefined));
}
