import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runRulesTest } from '../../src/cli/files-commands.ts';
import { createOutput } from '../../src/cli/output.ts';
import { isCasebridgeError } from '../../src/errors.ts';
import {
  findFlag,
  findSuppression,
  loadFileRules,
  parseFileRules,
  priorityForFactor,
  type RuleSubjectEvent,
} from '../../src/files/file-rules.ts';

const event = (overrides: Partial<RuleSubjectEvent> = {}): RuleSubjectEvent => ({
  destinationName: 'Dropbox',
  destinationCategory: 'Cloud Storage',
  domains: [],
  process: null,
  userEmail: 'dana.lee@example.com',
  userIds: ['dlee'],
  fileCategory: 'SourceCode',
  ...overrides,
});

const yaml = `
suppress:
  - name: corporate-box
    destinations: [Box]
  - name: backup
    processes: [BackupAgent.exe]
  - name: service
    users: [svc-build@example.com]
  - name: own-domains
    domains: [example.com]
flag:
  - name: code-to-personal-mail
    fileCategories: [SourceCode]
    domains: [gmail.com]
`;

describe('file rules', () => {
  const { rules, sha256 } = parseFileRules(yaml, '/etc/rules.yaml');

  it('applies defaults and hashes the text', () => {
    expect(rules.thresholds.anomalyFactor).toBe(5);
    expect(rules.baseline.days).toBe(28);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(parseFileRules(`${yaml}\n`, null).sha256).not.toBe(sha256);
  });

  it('suppresses by destination, process and user', () => {
    expect(findSuppression(rules, event({ destinationName: 'box' }))?.name).toBe('corporate-box');
    expect(
      findSuppression(rules, event({ process: 'C:\\Program Files\\backupagent.exe' }))?.name,
    ).toBe('backup');
    expect(findSuppression(rules, event({ userEmail: 'SVC-build@example.com' }))?.name).toBe(
      'service',
    );
    expect(findSuppression(rules, event())).toBeNull();
  });

  it('suppresses domains only when every domain is trusted', () => {
    expect(findSuppression(rules, event({ domains: ['mail.example.com'] }))?.name).toBe(
      'own-domains',
    );
    expect(findSuppression(rules, event({ domains: ['example.com', 'gmail.com'] }))).toBeNull();
    expect(findSuppression(rules, event({ domains: ['notexample.com'] }))).toBeNull();
  });

  it('flags when any domain and every other list match', () => {
    expect(findFlag(rules, event({ domains: ['example.com', 'gmail.com'] }))?.name).toBe(
      'code-to-personal-mail',
    );
    expect(findFlag(rules, event({ domains: ['gmail.com'], fileCategory: 'Image' }))).toBeNull();
  });

  it('maps factors to priorities', () => {
    expect(priorityForFactor(rules, 4.9)).toBe('low');
    expect(priorityForFactor(rules, 5)).toBe('medium');
    expect(priorityForFactor(rules, 12)).toBe('high');
    expect(priorityForFactor(rules, 25)).toBe('critical');
  });

  it('names the key of an invalid value', () => {
    const attempt = () =>
      parseFileRules('thresholds:\n  anomalyFactor: 0.5\nsuppress:\n  - name: x\n', 'rules.yaml');
    expect(attempt).toThrow(/thresholds\.anomalyFactor/);
    expect(attempt).toThrow(/suppress\[0\]/);
    try {
      attempt();
    } catch (error) {
      expect(isCasebridgeError(error)).toBe(true);
      expect((error as { code?: string }).code).toBe('CONFIG_INVALID');
    }
  });

  it('rejects unknown keys', () => {
    expect(() => parseFileRules('supress: []\n', 'rules.yaml')).toThrow(/supress/);
  });
});

describe('rules test command', () => {
  it('exits 1 when a record is unreadable', async () => {
    const written: string[] = [];
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    const code = await runRulesTest(
      createOutput(true, stdout),
      loadFileRules(null),
      '-',
      Readable.from(['not json\n']),
    );
    expect(code).toBe(1);
    expect(JSON.parse(written.join(''))).toMatchObject({ rejected: 1, passed: 0 });
  });
});
