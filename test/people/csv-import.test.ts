import { Readable } from 'node:stream';
import { asc, count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { isCasebridgeError } from '../../src/errors.ts';
import { type CsvImportOptions, importPeopleCsv } from '../../src/people/csv-import.ts';
import { auditEvents, people } from '../../src/store/schema.ts';
import { describeStores } from '../support/stores.ts';

const HEADER =
  'email,name,manager_email,department,employee_number,locale,country,time_zone,hire_date,notice_date,last_working_day,active,ids';

const firstFile = [
  HEADER,
  'Ann@Example.com,Ann Analyst,,Security,E1,en-US,us,America/New_York,2020-01-06,,,true,ann;ANN-AD',
  'bob@example.com,Bob Builder,ann@example.com,Engineering,E2,de-DE,DE,Europe/Berlin,2021-03-01,,,yes,',
  'not-an-email,Broken Row,,,,,,,,,,,',
  'carol@example.com,Carol,,,,,XX,,,,,,',
  'dave@example.com,Dave,,,,,,Mars/Base,2022-13-01,,,,',
  'bob@example.com,Bob Again,,,,,,,,,,,',
  'erin@example.com,Erin,,,,,,,,,,maybe,',
  '"frank@example.com,Frank ""the"" Tank,,,,,,,,,,,',
].join('\n');

function options(overrides: Partial<CsvImportOptions> = {}): CsvImportOptions {
  return { dryRun: false, deactivateMissing: false, source: 'test.csv', ...overrides };
}

describeStores('people CSV import', (current) => {
  const db = () => current().store.db;
  const importText = (text: string, overrides: Partial<CsvImportOptions> = {}) =>
    importPeopleCsv(db(), Readable.from([text]), options(overrides));
  const person = async (email: string) =>
    (await db().select().from(people).where(eq(people.email, email)))[0];
  const directoryEvents = () =>
    db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.stream, 'directory'))
      .orderBy(asc(auditEvents.seq));
  const peopleCount = async () => (await db().select({ value: count() }).from(people))[0]?.value;

  describe('first import', () => {
    let report: Awaited<ReturnType<typeof importText>>;
    beforeAll(async () => {
      report = await importText(firstFile);
    });

    it('applies the valid rows', async () => {
      expect(report.added.map((row) => row.email)).toEqual(['ann@example.com', 'bob@example.com']);
      expect(await person('ann@example.com')).toMatchObject({
        name: 'Ann Analyst',
        managerEmail: null,
        department: 'Security',
        country: 'US',
        timeZone: 'America/New_York',
        hireDate: '2020-01-06',
        active: true,
        externalIds: ['ann', 'ann-ad'],
      });
      expect(await person('bob@example.com')).toMatchObject({
        managerEmail: 'ann@example.com',
        locale: 'de-DE',
      });
    });

    it('rejects bad rows with line numbers', () => {
      const byLine = new Map(report.rejected.map((row) => [row.line, row.reason]));
      expect([...byLine.keys()]).toEqual([4, 5, 6, 7, 8, 9]);
      expect(byLine.get(4)).toBe('email is not an e-mail address');
      expect(byLine.get(5)).toContain('country "XX"');
      expect(byLine.get(6)).toContain('Mars/Base');
      expect(byLine.get(6)).toContain('hireDate "2022-13-01"');
      expect(byLine.get(7)).toBe('email repeats the row on line 3');
      expect(byLine.get(8)).toContain('active must be true or false');
      expect(byLine.get(9)).toContain('not valid CSV');
      expect(report.rows).toBe(7);
    });

    it('writes nothing for rejected rows', async () => {
      expect(await peopleCount()).toBe(2);
      expect(await person('carol@example.com')).toBeUndefined();
    });

    it('audits each added person', async () => {
      const events = await directoryEvents();
      expect(events.map((event) => event.type)).toEqual(['person.created', 'person.created']);
      expect(events.every((event) => event.actor === 'csv')).toBe(true);
      expect(events[0]?.data).toMatchObject({ cause: 'csv' });
      expect(JSON.stringify(events.map((event) => event.data))).not.toContain('ann@example.com');
    });
  });

  it('dry run writes nothing', async () => {
    const before = { people: await peopleCount(), events: (await directoryEvents()).length };
    const text = [
      HEADER,
      'ann@example.com,Ann Analyst,,Legal,E1,en-US,US,America/New_York,2020-01-06,,,true,ann;ann-ad',
      'gina@example.com,Gina,,,,,,,,,,,',
    ].join('\n');

    const report = await importText(text, { dryRun: true, deactivateMissing: true });

    expect(report.dryRun).toBe(true);
    expect(report.added.map((row) => row.email)).toEqual(['gina@example.com']);
    expect(report.changed).toEqual([{ line: 2, email: 'ann@example.com', fields: ['department'] }]);
    expect(report.deactivated).toEqual([{ email: 'bob@example.com' }]);
    expect(await peopleCount()).toBe(before.people);
    expect((await directoryEvents()).length).toBe(before.events);
    expect((await person('ann@example.com'))?.department).toBe('Security');
  });

  it('writes only the differences', async () => {
    const eventsBefore = (await directoryEvents()).length;
    const text = [
      HEADER,
      'ann@example.com,Ann Analyst,,Security,E1,en-US,US,America/New_York,2020-01-06,,,true,ANN-AD;ann',
      'bob@example.com,Bob Builder,ann@example.com,Engineering,E2,de-DE,DE,Europe/Berlin,2021-03-01,2026-11-02,2026-12-31,true,',
    ].join('\n');

    const report = await importText(text);

    expect(report.unchanged).toBe(1);
    expect(report.changed).toEqual([
      { line: 3, email: 'bob@example.com', fields: ['noticeDate', 'lastWorkingDay'] },
    ]);
    const events = (await directoryEvents()).slice(eventsBefore);
    expect(events.map((event) => event.type)).toEqual(['person.updated']);
    expect(events[0]?.data).toMatchObject({
      cause: 'csv',
      fields: ['noticeDate', 'lastWorkingDay'],
    });
  });

  it('keeps columns the file lacks', async () => {
    const report = await importText('email,name,active\nbob@example.com,Bob Builder,false\n');

    expect(report.changed).toEqual([{ line: 2, email: 'bob@example.com', fields: ['active'] }]);
    expect(await person('bob@example.com')).toMatchObject({
      active: false,
      department: 'Engineering',
      noticeDate: '2026-11-02',
    });
    const last = (await directoryEvents()).at(-1);
    expect(last?.type).toBe('person.deactivated');
  });

  it('leaves missing people active without the flag', async () => {
    const report = await importText('email,name\nbob@example.com,Bob Builder\n');

    expect(report.missing).toBe(1);
    expect(report.deactivated).toEqual([]);
    expect((await person('ann@example.com'))?.active).toBe(true);
  });

  it('deactivates missing people with the flag', async () => {
    const report = await importText('email,name\nbob@example.com,Bob Builder\n', {
      deactivateMissing: true,
    });

    expect(report.deactivated).toEqual([{ email: 'ann@example.com' }]);
    expect((await person('ann@example.com'))?.active).toBe(false);
    const last = (await directoryEvents()).at(-1);
    expect(last?.type).toBe('person.deactivated');
    expect(last?.data).toMatchObject({ cause: 'csv', fields: ['active'] });
  });

  it('rejects an unknown column', async () => {
    const before = await peopleCount();
    const failure = await importText('email,name,shoe_size\nzed@example.com,Zed,44\n').catch(
      (error: unknown) => error,
    );

    expect(isCasebridgeError(failure) && failure.code).toBe('USAGE_INVALID');
    expect((failure as Error).message).toContain('shoe_size');
    expect(await peopleCount()).toBe(before);
  });

  it('rejects a file without a name column', async () => {
    const failure = await importText('email\nzed@example.com\n').catch((error: unknown) => error);

    expect(isCasebridgeError(failure) && failure.code).toBe('USAGE_INVALID');
    expect((failure as Error).message).toContain('no name column');
  });
});
