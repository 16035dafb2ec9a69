import { checkPersonFields, type PersonFields, type PersonRow } from '../person-fields.ts';
import { ScimError } from './scim-error.ts';

export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Casebridge's extension for the employment dates HR systems send, and the work country. */
export const LIFECYCLE_USER_SCHEMA =
  'urn:casebridge:params:scim:schemas:extension:lifecycle:2.0:User';

export type ScimResource = Record<string, unknown>;

/** The person fields a SCIM User sets; SCIM leaves `externalIds` (detection tool ids) alone. */
export type ScimPersonFields = Omit<PersonFields, 'externalIds' | 'managerEmail'>;

export interface ParsedUser {
  fields: ScimPersonFields;
  /** `manager.value` of the enterprise extension: a user id, null to clear the manager. */
  managerValue: string | null;
  /** The attributes to keep for later reads: everything the client sent but the password. */
  stored: ScimResource;
}

/** The stored SCIM state of a person, when a SCIM client created or changed them. */
export interface ScimState {
  resource: ScimResource;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Attributes the server owns or must not keep: ids and meta are assigned, passwords dropped. */
const unstoredAttributes = ['id', 'meta', 'password', 'groups'];

/**
 * Validates a SCIM User (from POST, PUT, or a PATCH applied to the current resource) and maps it
 * to person fields. Throws a ScimError with `invalidSyntax` or `invalidValue` naming the attribute.
 */
export function parseUser(body: unknown): ParsedUser {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ScimError(400, 'The request body must be a SCIM User JSON object.', 'invalidSyntax');
  }
  const user = body as ScimResource;
  const schemas = user.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(CORE_USER_SCHEMA)) {
    throw new ScimError(400, `schemas must include ${CORE_USER_SCHEMA}.`, 'invalidSyntax');
  }

  const userName = optionalString(user, 'userName');
  if (userName === null) {
    throw new ScimError(
      400,
      'userName is required: set it to the user’s e-mail address.',
      'invalidValue',
    );
  }
  const enterprise = extension(user, ENTERPRISE_USER_SCHEMA);
  const lifecycle = extension(user, LIFECYCLE_USER_SCHEMA);
  const country = optionalString(lifecycle, 'country', LIFECYCLE_USER_SCHEMA);

  const fields: ScimPersonFields = {
    email: userName.toLowerCase(),
    name: displayNameOf(user, userName),
    department: optionalString(enterprise, 'department', ENTERPRISE_USER_SCHEMA),
    employeeNumber: optionalString(enterprise, 'employeeNumber', ENTERPRISE_USER_SCHEMA),
    locale: optionalString(user, 'locale'),
    country: country === null ? null : country.toUpperCase(),
    timeZone: optionalString(user, 'timezone'),
    hireDate: optionalDate(lifecycle, 'hireDate'),
    noticeDate: optionalDate(lifecycle, 'noticeDate'),
    lastWorkingDay: optionalDate(lifecycle, 'lastWorkingDay'),
    active: parseActive(user.active),
    sourceId: optionalString(user, 'externalId'),
  };
  const problems = checkPersonFields(fields);
  if (problems.length > 0) {
    const named = problems.map((problem) =>
      problem.startsWith('email ') ? 'userName is not an e-mail address' : problem,
    );
    throw new ScimError(400, `Invalid user: ${named.join('; ')}.`, 'invalidValue');
  }

  const stored: ScimResource = {};
  for (const [key, value] of Object.entries(user)) {
    if (!unstoredAttributes.includes(key)) stored[key] = value;
  }
  return { fields, managerValue: managerValueOf(enterprise.manager), stored };
}

/**
 * Renders a person as a SCIM User: the stored attributes, overlaid with the person's current
 * columns, which CSV imports and the YAML directory may have changed since.
 */
export function renderUser(
  row: PersonRow,
  scim: ScimState | null,
  managerId: string | null,
  baseUrl: string,
): ScimResource {
  const stored = scim?.resource ?? {};
  const location = `${baseUrl}/Users/${row.id}`;
  const enterprise: ScimResource = { ...extension(stored, ENTERPRISE_USER_SCHEMA) };
  setOrDelete(enterprise, 'employeeNumber', row.employeeNumber);
  setOrDelete(enterprise, 'department', row.department);
  if (managerId === null) {
    delete enterprise.manager;
  } else {
    enterprise.manager = { value: managerId, $ref: `${baseUrl}/Users/${managerId}` };
  }
  const lifecycle: ScimResource = {};
  setOrDelete(lifecycle, 'hireDate', row.hireDate);
  setOrDelete(lifecycle, 'noticeDate', row.noticeDate);
  setOrDelete(lifecycle, 'lastWorkingDay', row.lastWorkingDay);
  setOrDelete(lifecycle, 'country', row.country);

  const user: ScimResource = {
    ...stored,
    schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, LIFECYCLE_USER_SCHEMA],
    id: row.id,
    userName: row.email,
    displayName: row.name,
    name: stored.name ?? { formatted: row.name },
    emails: stored.emails ?? [{ value: row.email, type: 'work', primary: true }],
    active: row.active,
    [ENTERPRISE_USER_SCHEMA]: enterprise,
    [LIFECYCLE_USER_SCHEMA]: lifecycle,
  };
  setOrDelete(user, 'externalId', row.sourceId);
  setOrDelete(user, 'locale', row.locale);
  setOrDelete(user, 'timezone', row.timeZone);

  const lastModified =
    scim !== null && scim.updatedAt > row.updatedAt ? scim.updatedAt : row.updatedAt;
  user.meta = {
    resourceType: 'User',
    created: (scim?.createdAt ?? row.createdAt).toISOString(),
    lastModified: lastModified.toISOString(),
    location,
    version: `W/"${scim?.version ?? 0}-${row.updatedAt.getTime()}"`,
  };
  return user;
}

function setOrDelete(target: ScimResource, key: string, value: string | null): void {
  if (value === null) delete target[key];
  else target[key] = value;
}

function extension(user: ScimResource, schema: string): ScimResource {
  const value = user[schema];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ScimError(400, `${schema} must be an object.`, 'invalidSyntax');
  }
  return value as ScimResource;
}

/** Returns a string attribute, null when absent, null or empty; throws when it is another type. */
function optionalString(object: ScimResource, key: string, schema?: string): string | null {
  const value = object[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    const name = schema === undefined ? key : `${schema}:${key}`;
    throw new ScimError(400, `${name} must be a string.`, 'invalidValue');
  }
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Takes the date of a `YYYY-MM-DD` value or of an xsd:dateTime, as HR systems send either. */
function optionalDate(object: ScimResource, key: string): string | null {
  const value = optionalString(object, key, LIFECYCLE_USER_SCHEMA);
  if (value === null) return null;
  const match = /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(value);
  return match?.[1] ?? value;
}

function displayNameOf(user: ScimResource, userName: string): string {
  const displayName = optionalString(user, 'displayName');
  if (displayName !== null) return displayName;
  const name = user.name;
  if (typeof name === 'object' && name !== null) {
    const parts = name as Record<string, unknown>;
    if (typeof parts.formatted === 'string' && parts.formatted.trim() !== '') {
      return parts.formatted.trim();
    }
    const joined = [parts.givenName, parts.familyName]
      .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
      .join(' ');
    if (joined !== '') return joined;
  }
  return userName;
}

/**
 * Reads `active`. Entra ID without the `aadOptscim062020` flag sends the strings "True" and
 * "False"; both spellings are accepted in any case. An absent value means active.
 */
export function parseActive(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw new ScimError(400, 'active must be a boolean (true or false).', 'invalidValue');
}

/** Reads `manager`, which clients send as `{ "value": id }` or, in Entra's PATCH, as the bare id. */
function managerValueOf(manager: unknown): string | null {
  if (manager === undefined || manager === null || manager === '') return null;
  if (typeof manager === 'string') return manager.trim() === '' ? null : manager.trim();
  if (typeof manager === 'object' && !Array.isArray(manager)) {
    const value = (manager as Record<string, unknown>).value;
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') return value.trim();
  }
  throw new ScimError(
    400,
    `${ENTERPRISE_USER_SCHEMA}:manager must be an object with a string value (the manager’s user id).`,
    'invalidValue',
  );
}
