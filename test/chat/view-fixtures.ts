import type { SignalSummary } from '../../src/chat/evidence.ts';
import type { CaseViewInput } from '../../src/chat/view-model.ts';

export const subjectName = 'Dana Lee';
export const subjectEmail = 'dana.lee@example.com';
export const pseudonym = 'Subject Amber-Falcon-17';

let counter = 0;

/** Builds a signal summary; the title is unique per call unless one is given. */
export function makeSignalSummary(overrides: Partial<SignalSummary> = {}): SignalSummary {
  counter++;
  return {
    source: 'incydr',
    title: `Source code copied to personal cloud (${counter})`,
    severity: 'high',
    observedAt: '2025-03-02T21:14:00.000Z',
    indicators: ['exfiltration-to-personal-cloud', 'off-hours'],
    fileCount: 42,
    destination: 'Dropbox (personal)',
    riskScore: 87,
    ...overrides,
  };
}

/** Builds a case of the sample subject in triage with two signals; `overrides` replace whole fields. */
export function makeViewInput(overrides: Partial<CaseViewInput> = {}): CaseViewInput {
  return {
    id: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
    key: 'CB-0042',
    version: 3,
    state: 'triage',
    priority: 'high',
    openedAt: '2025-03-03T09:00:00.000Z',
    subject: {
      pseudonym,
      name: subjectName,
      email: subjectEmail,
      resolved: true,
      managerKnown: true,
    },
    assignee: null,
    escalationSummary: null,
    hrResponse: null,
    proposedAction: null,
    approvals: [],
    outcome: null,
    legalHold: false,
    reminders: [],
    signals: [
      makeSignalSummary({ title: 'Source code copied to personal cloud' }),
      makeSignalSummary({
        source: 'exabeam',
        title: 'Unusual volume of files printed',
        severity: 'medium',
        observedAt: '2025-03-01T08:00:00.000Z',
        indicators: ['abnormal-print-volume'],
        fileCount: 1,
        destination: null,
        riskScore: null,
      }),
    ],
    ...overrides,
  };
}

/** Every piece of evidence text of `input` that the manager must never see. */
export function evidenceTexts(input: CaseViewInput): string[] {
  const texts: string[] = [];
  for (const signal of input.signals) {
    texts.push(signal.title, signal.source, ...signal.indicators);
    if (signal.destination !== null) texts.push(signal.destination);
    if (signal.riskScore !== null) texts.push(`risk score ${signal.riskScore}`);
    texts.push(`${signal.fileCount} file`);
  }
  if (input.escalationSummary !== null) texts.push(input.escalationSummary);
  return texts;
}
