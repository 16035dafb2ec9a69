import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import { type Filter, parse } from 'scim2-parse-filter';
import { people } from '../../store/schema.ts';
import { ScimError } from './scim-error.ts';

const SUPPORTED =
  'Supported filters: eq on userName, externalId, emails.value or id, joined with and/or.';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tells whether a value has the form of a person id, so that it can be compared to a uuid column. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/**
 * Translates a SCIM filter (RFC 7644 section 3.4.2.2) into a condition on `people`. The
 * provisioning clients look users up by userName or externalId before creating them, so `eq` on
 * the attributes that identify a person is supported. Any other operator or attribute is
 * rejected with `invalidFilter`.
 */
export function userFilterToSql(text: string): SQL {
  let filter: Filter;
  try {
    filter = parse(text);
  } catch {
    throw new ScimError(400, `The filter could not be parsed. ${SUPPORTED}`, 'invalidFilter');
  }
  return toSql(filter);
}

function toSql(filter: Filter): SQL {
  if (filter.op === 'and' || filter.op === 'or') {
    const parts = filter.filters.map(toSql);
    const joined = filter.op === 'and' ? and(...parts) : or(...parts);
    return joined ?? sql`true`;
  }
  if (filter.op === '[]') {
    // emails[value eq "x"] is emails.value eq "x".
    const inner = filter.valFilter;
    if (inner.op === 'eq' && 'attrPath' in inner) {
      return compare(`${filter.attrPath}.${inner.attrPath}`, inner.compValue);
    }
  }
  if (filter.op === 'eq') return compare(filter.attrPath, filter.compValue);
  throw new ScimError(
    400,
    `Unsupported filter operator "${filter.op}". ${SUPPORTED}`,
    'invalidFilter',
  );
}

function compare(attributePath: string, value: unknown): SQL {
  if (typeof value !== 'string') {
    throw new ScimError(
      400,
      `The value compared to ${attributePath} must be a string.`,
      'invalidFilter',
    );
  }
  // Attribute names are case-insensitive (RFC 7643 section 2.1); a schema URN prefix may precede them.
  const name = attributePath
    .toLowerCase()
    .replace(`${'urn:ietf:params:scim:schemas:core:2.0:user'}:`, '');
  switch (name) {
    case 'username':
    case 'emails.value':
      // userName and emails are not case-exact, and people.email is stored lower-cased.
      return eq(people.email, value.toLowerCase());
    case 'externalid':
      return eq(people.sourceId, value);
    case 'id':
      return isUuid(value) ? eq(people.id, value) : sql`false`;
    default:
      throw new ScimError(
        400,
        `Filtering on ${attributePath} is not supported. ${SUPPORTED}`,
        'invalidFilter',
      );
  }
}
