import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buttonEventTypes } from '../../src/chat/action-payload.ts';
import { audiences } from '../../src/chat/actions.ts';
import { fieldSpecs } from '../../src/chat/forms.ts';
import {
  createTranslator,
  en,
  fillTemplate,
  formatTime,
  resolveLocale,
  t,
} from '../../src/chat/messages/index.ts';
import { type CaseNotice, renderNotice } from '../../src/chat/notice.ts';
import { buildCaseView } from '../../src/chat/view-model.ts';
import { severities } from '../../src/feeds/signal.ts';
import {
  caseEventTypes,
  caseOutcomes,
  caseStates,
  hrResponses,
  priorities,
  roles,
  seriousActions,
} from '../../workflows/case-events.ts';
import { makeViewInput } from './view-fixtures.ts';

const sourceRoot = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(directory: string): string[] {
  return (
    readdirSync(directory, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => path.join(entry.parentPath, entry.name))
      // Catalogues define keys rather than use them, so they do not count as uses.
      .filter((file) => !/[\\/]messages[\\/](en|ja)\.ts$/.test(file))
  );
}

/** Collects the string literals and the prefixes of template keys (`state.${…}`) in the renderer's code. */
/**
 * Template strings of the same shape that are not catalogue keys: `excluded.<column>` in SQL
 * upserts, and `person.<change>`, the type of a directory audit event.
 */
const notCatalogueTemplates = new Set(['excluded.', 'person.']);

function keysInSource() {
  const literals = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of sourceFiles(sourceRoot)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/'([\w.]+)'/g)) literals.add(match[1]!);
    for (const match of text.matchAll(/`([\w.]+\.)\$\{/g)) {
      if (!notCatalogueTemplates.has(match[1]!)) prefixes.add(match[1]!);
    }
  }
  return { literals, prefixes };
}

const formFieldIds = [
  ...new Set(buttonEventTypes.flatMap((type) => fieldSpecs(type).map((spec) => spec.id))),
];

/** The values each dynamic key family is looked up with. */
const families: Record<string, readonly string[]> = {
  'state.': caseStates,
  'priority.': priorities,
  'severity.': severities,
  'role.': roles,
  'event.': buttonEventTypes.filter((type) => type !== 'LEGAL_HOLD'),
  'decided.': caseEventTypes,
  'outcome.': caseOutcomes,
  'response.': hrResponses,
  'seriousAction.': seriousActions,
  'form.title.': buttonEventTypes.filter((type) => type !== 'LEGAL_HOLD' && type !== 'ACKNOWLEDGE'),
  'form.field.': formFieldIds.filter((id) => id !== 'notes'),
  'reply.': [
    'ASSIGN',
    'NOTE',
    'DISMISS',
    'CLOSE',
    'ESCALATE',
    'RETURN_TO_SECURITY',
    'RECORD_CONVERSATION',
    'ACKNOWLEDGE',
    'RECORD_ACTION',
    'REOPEN',
    'CHOOSE_RESPONSE',
    'APPROVE',
    'REJECT',
    'SIGNAL_ADDED',
    'SLA_REMIND',
    'SLA_ESCALATE',
    'ANONYMISE',
  ],
};

describe('message catalogue', () => {
  const { literals, prefixes } = keysInSource();

  it('knows every dynamic key family', () => {
    expect([...prefixes].sort()).toEqual(Object.keys(families).sort());
  });

  it('has every key the code looks up', () => {
    const keys = new Set(Object.keys(en));
    const missing: string[] = [];
    for (const prefix of prefixes) {
      for (const value of families[prefix] ?? []) {
        if (!keys.has(`${prefix}${value}`)) missing.push(`${prefix}${value}`);
      }
    }

    expect(missing).toEqual([]);
  });

  it('uses every key it has', () => {
    const unused = Object.keys(en).filter((key) => {
      if (literals.has(key)) return false;
      return ![...prefixes].some(
        (prefix) =>
          key.startsWith(prefix) && (families[prefix] ?? []).includes(key.slice(prefix.length)),
      );
    });

    expect(unused).toEqual([]);
  });

  it('keeps form titles within 24 characters', () => {
    for (const [key, template] of Object.entries(en)) {
      if (key.startsWith('form.title.') || key === 'form.submit' || key === 'form.cancel') {
        expect(template.length, key).toBeLessThanOrEqual(24);
      }
    }
  });

  it('fills every placeholder in rendered views', () => {
    const texts: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') texts.push(value);
      else if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null) Object.values(value).forEach(collect);
    };
    for (const state of caseStates) {
      for (const audience of audiences) {
        for (const legalHold of [false, true]) {
          const input = makeViewInput({
            state,
            legalHold,
            escalationSummary: 'Summary.',
            hrResponse: 'serious_action',
            proposedAction: 'written_warning',
            approvals: [{ email: 'leo.legal@example.com', at: '2025-03-05T10:00:00Z' }],
            outcome: 'coached',
            reminders: [{ state, at: '2025-03-05T10:00:00Z' }],
          });
          collect(buildCaseView(input, audience, 'en', { maxEvidence: 1 }));
        }
      }
    }

    expect(texts.length).toBeGreaterThan(500);
    expect(texts.filter((text) => /\{\w+\}/.test(text))).toEqual([]);
    expect(texts.filter((text) => Object.hasOwn(en, text))).toEqual([]);
  });
});

describe('t', () => {
  it('fills placeholders', () => {
    expect(
      t('en', 'refusal.alreadyDecided', {
        action: 'escalated to HR',
        actor: 'ann.analyst@example.com',
        time: '2025-03-04 10:00 UTC',
      }),
    ).toBe('Already escalated to HR by ann.analyst@example.com at 2025-03-04 10:00 UTC.');
    expect(t('en', 'refusal.roleRequired', { role: 'HR' })).toBe(
      'You need the HR role to do this.',
    );
    expect(t('en', 'refusal.unknownEmail', { platform: 'Slack', email: 'x@example.com' })).toBe(
      "Your Slack account's e-mail x@example.com is not in the Casebridge directory; ask an admin to add it.",
    );
    expect(t('en', 'reply.ESCALATE', { actor: 'Ann' })).toBe('Ann escalated this case to HR.');
  });

  it('falls back to English', () => {
    const translate = createTranslator({ en, de: { 'state.triage': 'Sichtung' } });

    expect(translate('de', 'state.triage')).toBe('Sichtung');
    expect(translate('de', 'state.closed')).toBe('Closed');
    expect(translate('fr' as 'de', 'state.triage')).toBe('Triage');
  });

  it('leaves unknown placeholders', () => {
    expect(fillTemplate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(fillTemplate('{toString}', {})).toBe('{toString}');
  });

  it('resolves platform locales', () => {
    expect(resolveLocale('en-US')).toBe('en');
    expect(resolveLocale('EN_gb')).toBe('en');
    expect(resolveLocale('fr-FR')).toBe('en');
    expect(resolveLocale(null)).toBe('en');
  });

  it('formats times in UTC', () => {
    expect(formatTime('2025-03-04T11:05:59+01:00')).toBe('2025-03-04 10:05 UTC');
    expect(formatTime('not a time')).toBe('not a time');
  });
});

describe('renderNotice covers every reply', () => {
  it('renders each notice type', () => {
    const notices: CaseNotice[] = [
      { type: 'ASSIGN', actor: 'Ann', assignee: 'ben@example.com' },
      { type: 'NOTE', actor: 'Ann', text: 'Called the data owner.' },
      { type: 'DISMISS', actor: 'Ann', outcome: 'benign' },
      { type: 'CLOSE', actor: 'Hana', outcome: 'resolved' },
      { type: 'ESCALATE', actor: 'Ann' },
      { type: 'RETURN_TO_SECURITY', actor: 'Hana' },
      { type: 'RECORD_CONVERSATION', actor: 'Hana' },
      { type: 'ACKNOWLEDGE', actor: 'Maria' },
      { type: 'RECORD_ACTION', actor: 'Hana' },
      { type: 'REOPEN', actor: 'Ann' },
      {
        type: 'CHOOSE_RESPONSE',
        actor: 'Hana',
        response: 'serious_action',
        proposedAction: 'suspension',
      },
      { type: 'APPROVE', actor: 'Leo', proposedAction: 'suspension', count: 1, required: 1 },
      { type: 'REJECT', actor: 'Leo', proposedAction: 'suspension' },
      { type: 'SIGNAL_ADDED', actor: 'system:intake', priority: 'critical' },
      { type: 'LEGAL_HOLD', actor: 'Leo', hold: true },
      {
        type: 'SLA_REMIND',
        actor: 'system:scheduler',
        state: 'triage',
        since: '2025-03-03T09:00:00Z',
        subjectName: null,
      },
      {
        type: 'SLA_ESCALATE',
        actor: 'system:scheduler',
        state: 'triage',
        since: '2025-03-03T09:00:00Z',
        subjectName: null,
      },
    ];
    for (const notice of notices) {
      for (const audience of ['security', 'hr', 'legal'] as const) {
        const text = renderNotice(notice, audience, 'en');

        expect(text, `${notice.type} for ${audience}`).toMatch(/\.$/);
        expect(text).not.toMatch(/\{\w+\}/);
      }
    }
  });
});
