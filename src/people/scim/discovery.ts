import { LIST_RESPONSE_SCHEMA, MAX_PAGE_SIZE } from './scim-users.ts';
import {
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  LIFECYCLE_USER_SCHEMA,
  type ScimResource,
} from './user-resource.ts';

/** The discovery documents of RFC 7644 section 4, for clients that read them before provisioning. */

export function serviceProviderConfig(baseUrl: string): ScimResource {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'Authorization: Bearer <SCIM_TOKEN>',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): ScimResource {
  const user = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A person of the Casebridge directory',
    schema: CORE_USER_SCHEMA,
    schemaExtensions: [
      { schema: ENTERPRISE_USER_SCHEMA, required: false },
      { schema: LIFECYCLE_USER_SCHEMA, required: false },
    ],
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
  };
  return listOf([user]);
}

type Attribute = { name: string; type?: string; description: string; required?: boolean };

function attribute(spec: Attribute): ScimResource {
  return {
    name: spec.name,
    type: spec.type ?? 'string',
    multiValued: false,
    description: spec.description,
    required: spec.required ?? false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: spec.name === 'userName' ? 'server' : 'none',
  };
}

const schemaDefinitions = [
  {
    id: CORE_USER_SCHEMA,
    name: 'User',
    description: 'User account; the attributes Casebridge maps to its directory',
    attributes: [
      attribute({
        name: 'userName',
        description: 'E-mail address; the key of the person',
        required: true,
      }),
      attribute({ name: 'displayName', description: 'Name shown in cases' }),
      attribute({ name: 'externalId', description: 'The client’s id of the user' }),
      attribute({ name: 'active', type: 'boolean', description: 'False deactivates the person' }),
      attribute({ name: 'locale', description: 'BCP 47 language tag for messages' }),
      attribute({ name: 'timezone', description: 'IANA time zone of the workplace' }),
    ],
  },
  {
    id: ENTERPRISE_USER_SCHEMA,
    name: 'EnterpriseUser',
    description: 'Enterprise User',
    attributes: [
      attribute({ name: 'employeeNumber', description: 'Employee number' }),
      attribute({ name: 'department', description: 'Department' }),
      {
        ...attribute({ name: 'manager', type: 'complex', description: 'The user’s manager' }),
        subAttributes: [attribute({ name: 'value', description: 'The manager’s user id' })],
      },
    ],
  },
  {
    id: LIFECYCLE_USER_SCHEMA,
    name: 'LifecycleUser',
    description: 'Employment dates and country, which watch rules and retention read',
    attributes: [
      attribute({ name: 'hireDate', description: 'First working day, YYYY-MM-DD' }),
      attribute({ name: 'noticeDate', description: 'Day notice was given, YYYY-MM-DD' }),
      attribute({ name: 'lastWorkingDay', description: 'Last working day, YYYY-MM-DD' }),
      attribute({ name: 'country', description: 'ISO 3166-1 alpha-2 country of employment' }),
    ],
  },
];

export function schemas(baseUrl: string): ScimResource {
  return listOf(
    schemaDefinitions.map((definition) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      ...definition,
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${definition.id}` },
    })),
  );
}

/** Finds one schema definition by its URN, or undefined. */
export function schemaById(baseUrl: string, id: string): ScimResource | undefined {
  const list = schemas(baseUrl).Resources as ScimResource[];
  return list.find((schema) => schema.id === id);
}

function listOf(resources: ScimResource[]): ScimResource {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
