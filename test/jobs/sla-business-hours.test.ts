import { and, asc, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { scheduleStateTimers } from '../../src/cases/schedule-state-timers.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { fireDueTimers } from '../../src/jobs/fire-due-timers.ts';
import { auditEvents, cases, timers } from '../../src/store/schema.ts';
import {
  type BusinessCalendarSpec,
  createBusinessCalendar,
} from '../../workflows/business-calendar.ts';
import type { CaseContext } from '../../workflows/index.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const MINUTE_MS = 60_000;
const tickMinutes = 30;

interface Scenario {
  name: string;
  subject: string;
  calendar: BusinessCalendarSpec;
  /** Friday 15:00 local, before a weekend with a daylight-saving change. */
  enteredAt: Date;
  remindAt: Date;
  escalateAt: Date;
}

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const nineToFive = { start: '09:00', end: '17:00' };

const scenarios: Scenario[] = [
  {
    // Berlin moves from UTC+1 to UTC+2 on Sunday 29 March 2026; Good Friday and Easter Monday are
    // holidays. The reminder comes 24 business hours later on Wednesday 1 April at 15:00 local,
    // and the escalation 72 business hours later on Monday 13 April at 15:00 local.
    name: 'Europe/Berlin',
    subject: 'sam.ortiz@example.com',
    calendar: {
      timeZone: 'Europe/Berlin',
      workingDays: weekdays,
      workingHours: nineToFive,
      holidays: ['2026-04-03', '2026-04-06'],
    },
    enteredAt: new Date('2026-03-27T14:00:00Z'),
    remindAt: new Date('2026-04-01T13:00:00Z'),
    escalateAt: new Date('2026-04-13T13:00:00Z'),
  },
  {
    // New York moves from UTC-5 to UTC-4 on Sunday 8 March 2026. The reminder comes on
    // Wednesday 11 March at 15:00 local, and the escalation on Thursday 19 March at 15:00 local.
    name: 'America/New_York',
    subject: 'lee.chen@example.com',
    calendar: {
      timeZone: 'America/New_York',
      workingDays: weekdays,
      workingHours: nineToFive,
      holidays: [],
    },
    enteredAt: new Date('2026-03-06T20:00:00Z'),
    remindAt: new Date('2026-03-11T19:00:00Z'),
    escalateAt: new Date('2026-03-19T19:00:00Z'),
  },
];

const minutesBefore = (at: Date, minutes: number) => new Date(at.getTime() - minutes * MINUTE_MS);

describeStores('SLA in business hours', (current) => {
  const db = () => current().store.db;

  beforeAll(async () => {
    await seedExampleDirectory(db());
  });

  /** Opens a case for the subject and takes it to manager_notice at `enteredAt`. */
  async function enterManagerNotice(scenario: Scenario): Promise<string> {
    const { subject, enteredAt } = scenario;
    const [opened] = await db().transaction((tx) =>
      ingestBatch(
        tx,
        [makeSignal({ subject: { email: subject, externalIds: [], displayName: null } })],
        {
          reopenWindowHours: 0,
          now: minutesBefore(enteredAt, 60),
        },
      ),
    );
    const caseId = opened!.caseId!;
    await actOnCase(
      { db: db(), logger: silentLogger, now: () => minutesBefore(enteredAt, 30) },
      {
        caseRef: caseId,
        actorEmail: people.analyst,
        event: { type: 'ESCALATE', summary: 'Customer list sent to personal e-mail' },
      },
    );
    await actOnCase(
      { db: db(), logger: silentLogger, now: () => enteredAt },
      {
        caseRef: caseId,
        actorEmail: people.hr,
        event: { type: 'CHOOSE_RESPONSE', response: 'involve_manager' },
      },
    );

    // The transition wrote these timers in the default calendar, because transitions do not
    // receive the configured calendar yet. They are written again in the scenario's calendar.
    const calendar = createBusinessCalendar(scenario.calendar);
    await scheduleStateTimers(db(), [{ caseId, state: 'manager_notice', enteredAt }], calendar);
    return caseId;
  }

  for (const scenario of scenarios) {
    it(`reminds and escalates once in ${scenario.name}`, async () => {
      const caseId = await enterManagerNotice(scenario);
      const calendar = createBusinessCalendar(scenario.calendar);

      const pending = await db()
        .select({ kind: timers.kind, dueAt: timers.dueAt })
        .from(timers)
        .where(and(eq(timers.caseId, caseId), eq(timers.status, 'pending')))
        .orderBy(asc(timers.dueAt));
      expect(pending).toEqual([
        { kind: 'remind', dueAt: scenario.remindAt },
        { kind: 'escalate', dueAt: scenario.escalateAt },
      ]);

      // A scheduler ticking every 30 minutes on a fake clock, until a day after the escalation.
      const end = scenario.escalateAt.getTime() + 24 * 60 * MINUTE_MS;
      const firedAt: Date[] = [];
      for (let at = scenario.enteredAt.getTime(); at <= end; at += tickMinutes * MINUTE_MS) {
        const now = new Date(at);
        const result = await fireDueTimers(
          { db: db(), logger: silentLogger, calendar, now: () => now },
          { limit: 100 },
        );
        expect(result.failed).toBe(0);
        for (let fired = 0; fired < result.fired; fired++) firedAt.push(now);
      }
      expect(firedAt).toEqual([scenario.remindAt, scenario.escalateAt]);

      const events = await db()
        .select({ type: auditEvents.type, at: auditEvents.at })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.caseId, caseId),
            inArray(auditEvents.type, ['SLA_REMIND', 'SLA_ESCALATE']),
          ),
        )
        .orderBy(asc(auditEvents.seq));
      expect(events).toEqual([
        { type: 'SLA_REMIND', at: scenario.remindAt },
        { type: 'SLA_ESCALATE', at: scenario.escalateAt },
      ]);
      const localTimes = events.map((event) =>
        DateTime.fromJSDate(event.at, { zone: scenario.calendar.timeZone }).toFormat('HH:mm'),
      );
      expect(localTimes).toEqual(['15:00', '15:00']);

      const [row] = await db().select().from(cases).where(eq(cases.id, caseId));
      expect(row!.state).toBe('manager_notice');
      const context = (row!.snapshot as { context: CaseContext }).context;
      expect(context.reminders).toEqual([
        { state: 'manager_notice', at: scenario.remindAt.toISOString() },
      ]);
      expect(context.escalations).toEqual([
        { state: 'manager_notice', at: scenario.escalateAt.toISOString() },
      ]);
    });
  }
});
