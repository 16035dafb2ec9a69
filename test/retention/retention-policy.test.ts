import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { isCasebridgeError } from '../../src/errors.ts';
import {
  retentionConfigSchema,
  retentionRuleFor,
  shortestRetentionDays,
} from '../../src/retention/retention-policy.ts';
import { examplesConfigPath } from '../support/builders.ts';

const config = retentionConfigSchema.parse({
  default: { days: 365 },
  outcomes: { false_positive: 30, serious_action: 2555 },
  countries: {
    DE: { days: 180, outcomes: { false_positive: 14 } },
    FR: { outcomes: { benign: 90 } },
  },
});

describe('retention rule', () => {
  it.each([
    ['false_positive', 'DE', 'countries.DE.outcomes.false_positive', 14],
    ['serious_action', 'DE', 'countries.DE.days', 180],
    ['benign', 'de', 'countries.DE.days', 180],
    ['benign', 'FR', 'countries.FR.outcomes.benign', 90],
    ['false_positive', 'FR', 'outcomes.false_positive', 30],
    ['false_positive', null, 'outcomes.false_positive', 30],
    ['coached', 'US', 'default.days', 365],
    [null, null, 'default.days', 365],
  ] as const)('%s in %s uses %s', (outcome, country, rule, days) => {
    expect(retentionRuleFor(config, outcome, country)).toEqual({ rule, days });
  });

  it('finds the shortest period', () => {
    expect(shortestRetentionDays(config)).toBe(14);
  });
});

describe('retention configuration', () => {
  const loadWith = (yaml: string) => {
    const directory = mkdtempSync(path.join(tmpdir(), 'casebridge-retention-'));
    const file = path.join(directory, 'casebridge.yaml');
    writeFileSync(file, yaml);
    return () => loadConfig({ CASEBRIDGE_CONFIG: file });
  };
  const messageOf = (load: () => unknown) => {
    try {
      load();
    } catch (error) {
      if (isCasebridgeError(error)) return { code: error.code, message: error.message };
      throw error;
    }
    return null;
  };

  it.each([
    ['retention:\n  outcomes: { false_positive: 30 }\n', 'retention.default'],
    ['retention:\n  default: { days: 0 }\n', 'retention.default.days'],
    ['retention:\n  default: { days: 365 }\n  outcomes: { false_postive: 30 }\n', 'false_postive'],
    ['retention:\n  default: { days: 365 }\n  countries: { Germany: { days: 30 } }\n', 'Germany'],
    ['retention:\n  default: { days: 365 }\n  countries: { DE: { dayz: 30 } }\n', 'dayz'],
    ['retention:\n  default: { days: 365 }\n  signalsDays: 1.5\n', 'retention.signalsDays'],
    ['retention:\n  default: { days: 365 }\n  schedule: every day\n', 'retention.schedule'],
    ['privacy:\n  export: { redactOpenCases: maybe }\n', 'privacy.export.redactOpenCases'],
  ])('rejects %j naming %s', (yaml, key) => {
    const error = messageOf(loadWith(yaml));
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toContain(key);
  });

  it('leaves retention off when absent', () => {
    expect(loadWith('intake: { reopenWindowHours: 1 }\n')().file.retention).toBeUndefined();
  });

  it('parses the example configuration', () => {
    const example = loadConfig({ CASEBRIDGE_CONFIG: examplesConfigPath });
    expect(example.file.retention?.default.days).toBeGreaterThan(0);
    expect(example.file.privacy.export.redactOpenCases).toBe(true);
  });
});
