import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { syncDirectory } from '../../src/people/sync-directory.ts';
import { auditEvents } from '../../src/store/schema.ts';
import { describeStores } from '../support/stores.ts';

function configWith(people: string) {
  const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-directory-'));
  writeFileSync(path.join(folder, 'casebridge.yaml'), `directory:\n  people:\n${people}`);
  return loadConfig({ CASEBRIDGE_CONFIG: path.join(folder, 'casebridge.yaml') }, folder);
}

const ann = '    - { email: ann@example.com, name: Ann, department: Security }\n';
const bob = '    - { email: bob@example.com, name: Bob, manager: ann@example.com }\n';

describeStores('YAML directory sync', (current) => {
  const events = () =>
    current()
      .store.db.select()
      .from(auditEvents)
      .where(eq(auditEvents.stream, 'directory'))
      .orderBy(asc(auditEvents.seq));

  it('audits added people with cause yaml', async () => {
    const result = await syncDirectory(current().store.db, configWith(ann + bob));

    expect(result.changed).toBe(2);
    const written = await events();
    expect(written.map((event) => event.type)).toEqual(['person.created', 'person.created']);
    expect(written.every((event) => event.actor === 'yaml')).toBe(true);
    expect(written[1]?.data).toMatchObject({
      cause: 'yaml',
      fields: ['email', 'name', 'managerEmail', 'externalIds'],
    });
  });

  it('writes nothing when nothing changed', async () => {
    const result = await syncDirectory(current().store.db, configWith(ann + bob));

    expect(result.changed).toBe(0);
    expect((await events()).length).toBe(2);
  });

  it('audits the changed fields', async () => {
    const moved = '    - { email: ann@example.com, name: Ann, department: Legal }\n';
    await syncDirectory(current().store.db, configWith(moved + bob));

    const last = (await events()).at(-1);
    expect(last?.type).toBe('person.updated');
    expect(last?.data).toMatchObject({ cause: 'yaml', fields: ['department'] });
  });
});
