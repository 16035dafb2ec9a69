import { isValidTimeZone } from '../../workflows/business-calendar.ts';
import type { people } from '../store/schema.ts';

/** The columns of a person that provisioning (SCIM, CSV, the YAML directory) writes. */
export interface PersonFields {
  email: string;
  name: string;
  managerEmail: string | null;
  department: string | null;
  employeeNumber: string | null;
  locale: string | null;
  country: string | null;
  timeZone: string | null;
  hireDate: string | null;
  noticeDate: string | null;
  lastWorkingDay: string | null;
  active: boolean;
  sourceId: string | null;
  externalIds: string[];
}

export type PersonFieldName = keyof PersonFields;

export const personFieldNames = [
  'email',
  'name',
  'managerEmail',
  'department',
  'employeeNumber',
  'locale',
  'country',
  'timeZone',
  'hireDate',
  'noticeDate',
  'lastWorkingDay',
  'active',
  'sourceId',
  'externalIds',
] as const satisfies readonly PersonFieldName[];

export type PersonRow = typeof people.$inferSelect;

/** Picks the provisioned fields of a stored person. */
export function fieldsOf(row: PersonRow): PersonFields {
  const fields = {} as Record<PersonFieldName, unknown>;
  for (const name of personFieldNames) fields[name] = row[name];
  return fields as unknown as PersonFields;
}

/** Lists the fields whose values differ, comparing `externalIds` as sets. */
export function changedFields(
  before: PersonFields,
  after: Partial<PersonFields>,
): PersonFieldName[] {
  const changed: PersonFieldName[] = [];
  for (const name of personFieldNames) {
    if (!(name in after)) continue;
    const next = after[name];
    const previous = before[name];
    if (name === 'externalIds') {
      const left = [...(previous as string[])].sort().join('\n');
      const right = [...((next as string[] | undefined) ?? [])].sort().join('\n');
      if (left !== right) changed.push(name);
      continue;
    }
    if (previous !== next) changed.push(name);
  }
  return changed;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks the values that have a format, and returns one problem per invalid value (empty when
 * all are valid). The problems name the field and the expected form, but not the value when it
 * may be personal data.
 */
export function checkPersonFields(fields: Partial<PersonFields>): string[] {
  const problems: string[] = [];
  if (fields.email !== undefined && !emailPattern.test(fields.email)) {
    problems.push('email is not an e-mail address');
  }
  if (fields.name !== undefined && fields.name.trim() === '') problems.push('name is empty');
  if (
    fields.managerEmail !== undefined &&
    fields.managerEmail !== null &&
    !emailPattern.test(fields.managerEmail)
  ) {
    problems.push('manager e-mail is not an e-mail address');
  }
  if (fields.country != null && !isCountryCode(fields.country)) {
    problems.push(`country "${fields.country}" is not an ISO 3166-1 alpha-2 code such as DE or US`);
  }
  if (fields.timeZone != null && !memoized(timeZoneChecks, fields.timeZone, isValidTimeZone)) {
    problems.push(
      `time zone "${fields.timeZone}" is not a known IANA time zone such as Europe/Berlin`,
    );
  }
  if (fields.locale != null && !memoized(localeChecks, fields.locale, isLocale)) {
    problems.push(`locale "${fields.locale}" is not a BCP 47 language tag such as en-US`);
  }
  for (const name of ['hireDate', 'noticeDate', 'lastWorkingDay'] as const) {
    const value = fields[name];
    if (value != null && !isCalendarDate(value)) {
      problems.push(`${name} "${value}" is not a date YYYY-MM-DD`);
    }
  }
  return problems;
}

/**
 * Results of the time zone and locale checks. A file repeats a few values on every row, and
 * luxon's zone check builds an Intl.DateTimeFormat per call (about 0.7 ms each here), which made
 * a 40,000-row import spend most of its time on it.
 */
const timeZoneChecks = new Map<string, boolean>();
const localeChecks = new Map<string, boolean>();
const MEMO_LIMIT = 10_000;

function memoized(memo: Map<string, boolean>, value: string, check: (value: string) => boolean) {
  let result = memo.get(value);
  if (result === undefined) {
    result = check(value);
    if (memo.size < MEMO_LIMIT) memo.set(value, result);
  }
  return result;
}

/** Tells whether a value is a valid date YYYY-MM-DD of the proleptic Gregorian calendar. */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** Codes ICU names although ISO 3166-1 does not assign them (UK is GB, EU is no country). */
const unassignedRegions = new Set(['UK', 'EU', 'ZZ']);

/** Tells whether a value is an assigned ISO 3166-1 alpha-2 code, which ICU has a name for. */
function isCountryCode(value: string): boolean {
  if (!/^[A-Z]{2}$/.test(value) || unassignedRegions.has(value)) return false;
  return regionNames.of(value) !== value;
}

function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}
