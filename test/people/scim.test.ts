import { readFileSync } from 'node:fs';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, people } from '../../src/store/schema.ts';
import { fakeIngestFeed, startServer, type TestServer } from '../http/start-server.ts';
import { describeStores, openTestStore } from '../support/stores.ts';

const TOKEN = 'scim-test-token-0123456789';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const LIFECYCLE = 'urn:casebridge:params:scim:schemas:extension:lifecycle:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

// biome-ignore lint/suspicious/noExplicitAny: the tests read SCIM JSON documents field by field.
function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../fixtures/hr/${name}`, import.meta.url), 'utf8'));
}

interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read SCIM JSON documents field by field.
  body: any;
}

function client(server: () => TestServer) {
  return async (method: string, path: string, body?: unknown, token = TOKEN): Promise<Reply> => {
    const response = await fetch(`${server().url}/scim/v2${path}`, {
      method,
      headers: {
        ...(token === '' ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? null : JSON.parse(text),
    };
  };
}

function expectScimError(reply: Reply, status: number, scimType?: string) {
  expect(reply.status).toBe(status);
  expect(reply.body.schemas).toEqual([ERROR]);
  expect(reply.body.status).toBe(String(status));
  if (scimType !== undefined) expect(reply.body.scimType).toBe(scimType);
  expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
}

describe('SCIM endpoint without SCIM_TOKEN', () => {
  it('answers 404 on every SCIM path', async () => {
    const handle = await openTestStore('pglite');
    const server = await startServer({
      env: {},
      store: handle.store,
      ingestFeed: fakeIngestFeed().ingestFeed,
    });
    try {
      for (const path of ['/scim/v2/Users', '/scim/v2/ServiceProviderConfig']) {
        const response = await fetch(`${server.url}${path}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(response.status).toBe(404);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
          'ROUTE_NOT_FOUND',
        );
      }
    } finally {
      await server.close();
      await handle.drop();
    }
  });
});

describeStores('SCIM Users', (current) => {
  let server: TestServer;
  const scim = client(() => server);
  let managerId: string;
  let aliceId: string;

  beforeAll(async () => {
    server = await startServer({
      env: { SCIM_TOKEN: TOKEN },
      store: current().store,
      ingestFeed: fakeIngestFeed().ingestFeed,
    });
  });
  afterAll(async () => {
    await server.close();
  });

  async function person(email: string) {
    const [row] = await current().store.db.select().from(people).where(eq(people.email, email));
    return row;
  }

  it('rejects requests without the token', async () => {
    const missing = await scim('GET', '/Users', undefined, '');
    expectScimError(missing, 401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectScimError(await scim('GET', '/Users', undefined, 'wrong-token'), 401);
    expectScimError(await scim('GET', '/ServiceProviderConfig', undefined, `${TOKEN}x`), 401);
  });

  it('serves the discovery documents', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.body.patch.supported).toBe(true);
    expect(config.body.filter).toEqual({ supported: true, maxResults: 200 });
    const types = await scim('GET', '/ResourceTypes');
    expect(
      types.body.Resources[0].schemaExtensions.map((e: { schema: string }) => e.schema),
    ).toEqual([ENTERPRISE, LIFECYCLE]);
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([
      CORE,
      ENTERPRISE,
      LIFECYCLE,
    ]);
    expect((await scim('GET', `/Schemas/${LIFECYCLE}`)).body.name).toBe('LifecycleUser');
  });

  it('rejects a manager that is not provisioned', async () => {
    const reply = await scim('POST', '/Users', fixture('scim-enterprise-user-rfc7643.json'));
    expectScimError(reply, 400, 'invalidValue');
    expect(reply.body.detail).toContain('manager.value 26118915-6090-4610-87e4-49d8ca9f808d');
    expect(await person('alice@example.com')).toBeUndefined();
  });

  it('creates the RFC enterprise user', async () => {
    const manager = await scim('POST', '/Users', {
      schemas: [CORE],
      userName: 'Bob@Example.com',
      displayName: 'Bob Manager',
    });
    expect(manager.status).toBe(201);
    managerId = manager.body.id;

    const user = fixture('scim-enterprise-user-rfc7643.json');
    user[ENTERPRISE].manager = { value: managerId };
    user[LIFECYCLE] = { hireDate: '2020-02-03', noticeDate: '2026-11-30T00:00:00Z', country: 'us' };
    const reply = await scim('POST', '/Users', user);

    expect(reply.status).toBe(201);
    aliceId = reply.body.id;
    expect(aliceId).not.toBe(user.id);
    expect(reply.headers.get('location')).toBe(`${server.url}/scim/v2/Users/${aliceId}`);
    expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(reply.body.meta.location).toBe(reply.headers.get('location'));
    expect(reply.body.meta.resourceType).toBe('User');
    expect(reply.body.password).toBeUndefined();
    expect(reply.body.userName).toBe('alice@example.com');
    expect(reply.body.name.givenName).toBe('Alice');
    expect(reply.body[ENTERPRISE].manager.value).toBe(managerId);
    expect(reply.body[LIFECYCLE]).toEqual({
      hireDate: '2020-02-03',
      noticeDate: '2026-11-30',
      country: 'US',
    });

    const row = await person('alice@example.com');
    expect(row).toMatchObject({
      name: 'Alice Example',
      managerEmail: 'bob@example.com',
      department: 'Tour Operations',
      employeeNumber: '701984',
      locale: 'en-US',
      timeZone: 'America/Los_Angeles',
      country: 'US',
      hireDate: '2020-02-03',
      active: true,
      sourceId: '701984',
    });
  });

  it('gets a user and 404s an unknown id', async () => {
    const reply = await scim('GET', `/Users/${aliceId}`);
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(aliceId);
    expectScimError(await scim('GET', '/Users/00000000-0000-4000-8000-000000000000'), 404);
    expectScimError(await scim('GET', '/Users/not-a-uuid'), 404);
  });

  it('rejects a second user with the same userName', async () => {
    const reply = await scim('POST', '/Users', { schemas: [CORE], userName: 'ALICE@example.com' });
    expectScimError(reply, 409, 'uniqueness');
  });

  it('rejects invalid values naming the attribute', async () => {
    expectScimError(
      await scim('POST', '/Users', { userName: 'x@example.com' }),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim('POST', '/Users', { schemas: [CORE], userName: 'not-an-email' }),
      400,
      'invalidValue',
    );
    const zone = await scim('POST', '/Users', {
      schemas: [CORE],
      userName: 'z@example.com',
      timezone: 'Mars/Base',
    });
    expectScimError(zone, 400, 'invalidValue');
    expect(zone.body.detail).toContain('Mars/Base');
    expectScimError(
      await scim('POST', '/Users', { schemas: [CORE], userName: 'a@example.com', active: 'maybe' }),
      400,
      'invalidValue',
    );
  });

  it('filters by userName, externalId and emails', async () => {
    const byName = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "ALICE@example.com"')}`,
    );
    expect(byName.status).toBe(200);
    expect(byName.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].id).toBe(aliceId);
    const byExternal = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('externalId eq "701984"')}`,
    );
    expect(byExternal.body.Resources.map((r: { id: string }) => r.id)).toEqual([aliceId]);
    const byEmail = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('emails[value eq "bob@example.com"]')}`,
    );
    expect(byEmail.body.Resources.map((r: { id: string }) => r.id)).toEqual([managerId]);
    const none = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`,
    );
    expect(none.body).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
  });

  it('rejects unsupported filters', async () => {
    expectScimError(
      await scim('GET', `/Users?filter=${encodeURIComponent('title co "Guide"')}`),
      400,
      'invalidFilter',
    );
    expectScimError(
      await scim('GET', `/Users?filter=${encodeURIComponent('userName sw "a"')}`),
      400,
      'invalidFilter',
    );
    expectScimError(
      await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`),
      400,
      'invalidFilter',
    );
  });

  it('pages with startIndex and count', async () => {
    const page = await scim('GET', '/Users?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0].id).toBe(aliceId);
    const countOnly = await scim('GET', '/Users?count=0');
    expect(countOnly.body).toMatchObject({ totalResults: 2, itemsPerPage: 0 });
    expectScimError(await scim('GET', '/Users?count=ten'), 400, 'invalidValue');
  });

  it('applies the legacy Entra multi-attribute PATCH', async () => {
    const body = fixture(
      'scim-patch-replace-multiple-attributes-entra.json',
    ).withoutFlag_legacyEntra;
    const reply = await scim('PATCH', `/Users/${aliceId}`, body);
    expect(reply.status).toBe(200);
    expect(reply.body.displayName).toBe('Pvlo');
    expect(reply.body.name).toMatchObject({ givenName: 'Gtfd', familyName: 'Pkqf' });
    expect(reply.body.emails[0].value).toBe('TestBcwqnm@test.microsoft.com');
    expect(await person('alice@example.com')).toMatchObject({
      name: 'Pvlo',
      sourceId: 'Eqpj',
      employeeNumber: 'Eqpj',
    });
  });

  it('applies the compliant path-less PATCH', async () => {
    const body = fixture(
      'scim-patch-replace-multiple-attributes-entra.json',
    ).withFlag_aadOptscim062020;
    const reply = await scim('PATCH', `/Users/${aliceId}`, body);
    expect(reply.status).toBe(200);
    expect(await person('alice@example.com')).toMatchObject({
      name: 'Bjfe',
      employeeNumber: 'Aklq',
      sourceId: 'Eqpj',
    });
  });

  it('sets and removes the manager by path', async () => {
    const carol = await scim('POST', '/Users', { schemas: [CORE], userName: 'carol@example.com' });
    const replace = await scim('PATCH', `/Users/${aliceId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: carol.body.id }],
    });
    expect(replace.status).toBe(200);
    expect((await person('alice@example.com'))?.managerEmail).toBe('carol@example.com');
    const remove = await scim('PATCH', `/Users/${aliceId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: `${ENTERPRISE}:manager` }],
    });
    expect(remove.status).toBe(200);
    expect((await person('alice@example.com'))?.managerEmail).toBeNull();
  });

  it('rejects malformed PATCH requests', async () => {
    const badOp = await scim('PATCH', `/Users/${aliceId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'move', path: 'active', value: false }],
    });
    expectScimError(badOp, 400, 'invalidSyntax');
    const removeWithoutPath = await scim('PATCH', `/Users/${aliceId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove' }],
    });
    expectScimError(removeWithoutPath, 400, 'noTarget');
  });

  it('deactivates with both Entra PATCH forms', async () => {
    const forms = fixture('scim-patch-deactivate-user-entra.json');
    const dave = await scim('POST', '/Users', { schemas: [CORE], userName: 'dave@example.com' });

    const legacy = await scim('PATCH', `/Users/${aliceId}`, forms.withoutFlag_legacyEntra);
    expect(legacy.status).toBe(200);
    expect(legacy.body.active).toBe(false);
    const compliant = await scim(
      'PATCH',
      `/Users/${dave.body.id}`,
      forms.withFlag_aadOptscim062020_rfc7644,
    );
    expect(compliant.body.active).toBe(false);

    expect((await person('alice@example.com'))?.active).toBe(false);
    expect((await person('dave@example.com'))?.active).toBe(false);
  });

  it('replaces a user with PUT', async () => {
    const current = (await scim('GET', `/Users/${aliceId}`)).body;
    const reply = await scim('PUT', `/Users/${aliceId}`, {
      ...current,
      active: true,
      [ENTERPRISE]: { department: 'Finance', employeeNumber: 'Aklq' },
    });
    expect(reply.status).toBe(200);
    expect(await person('alice@example.com')).toMatchObject({
      department: 'Finance',
      active: true,
    });
    const clash = await scim('PUT', `/Users/${aliceId}`, {
      ...current,
      userName: 'bob@example.com',
    });
    expectScimError(clash, 409, 'uniqueness');
  });

  it('deletes a user and creates it again', async () => {
    const deleted = await scim('DELETE', `/Users/${aliceId}`);
    expect(deleted.status).toBe(204);
    expectScimError(await scim('GET', `/Users/${aliceId}`), 404);
    expectScimError(await scim('DELETE', `/Users/${aliceId}`), 404);
    expect((await person('alice@example.com'))?.active).toBe(false);
    const listed = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "alice@example.com"')}`,
    );
    expect(listed.body.totalResults).toBe(0);

    const again = await scim('POST', '/Users', {
      schemas: [CORE],
      userName: 'alice@example.com',
      displayName: 'Alice',
    });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(aliceId);
    expect((await person('alice@example.com'))?.active).toBe(true);
  });

  it('audits every change with its fields', async () => {
    const alice = await person('alice@example.com');
    const events = await current()
      .store.db.select()
      .from(auditEvents)
      .where(and(eq(auditEvents.stream, 'directory')))
      .orderBy(asc(auditEvents.seq));
    const mine = events.filter(
      (event) => (event.data as { personId: string }).personId === alice?.id,
    );
    expect(mine.map((event) => event.type)).toEqual([
      'person.created',
      'person.updated',
      'person.updated',
      'person.updated',
      'person.updated',
      'person.deactivated',
      'person.reactivated',
      'person.deleted',
      'person.reactivated',
    ]);
    expect(mine.every((event) => event.actor === 'scim')).toBe(true);
    expect(mine[1]?.data).toEqual({
      personId: alice?.id,
      cause: 'scim',
      fields: ['name', 'employeeNumber', 'sourceId'],
    });
    expect(mine[6]?.data).toMatchObject({ fields: ['department', 'active'] });
  });

  it('keeps user names out of the log', async () => {
    const text = server.logText();
    expect(text).toContain('scim request completed');
    expect(text).not.toMatch(/alice@example\.com/i);
    expect(text).not.toMatch(/bob@example\.com/i);
  });
});
