import { SocketModeReceiver } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../../src/cases/act-on-case.ts';
import { createSlackApp, type SlackAppDeps } from '../../../src/chat/slack/app.ts';
import { SlackHttpReceiver } from '../../../src/chat/slack/receiver.ts';
import { CasebridgeError } from '../../../src/errors.ts';
import { silentLogger } from '../../support/builders.ts';
import { FakeSlackApi } from '../../support/fake-slack-api.ts';
import { describeStores } from '../../support/stores.ts';
import { botToken, signingSecret } from './slack-payloads.ts';

describeStores('createSlackApp', (current) => {
  let fake: FakeSlackApi;

  beforeAll(async () => {
    fake = await FakeSlackApi.start({ token: botToken });
  });

  afterAll(async () => {
    await fake.close();
  });

  const deps = (env: SlackAppDeps['env']): SlackAppDeps => ({
    env,
    db: current().store.db,
    logger: silentLogger,
    pseudonymKey: Buffer.alloc(32),
    act: (input) => actOnCase({ db: current().store.db, logger: silentLogger }, input),
  });

  const codeOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof CasebridgeError) return error.code;
      throw error;
    }
    return 'no error';
  };

  it('builds an HTTP app', () => {
    const slack = createSlackApp(
      deps({
        SLACK_BOT_TOKEN: botToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: fake.url,
      }),
    );

    expect(slack.mode).toBe('http');
    expect(slack.receiver).toBeInstanceOf(SlackHttpReceiver);
    expect(slack.signingSecret).toBe(signingSecret);
    expect(slack.port.platform).toBe('slack');
  });

  it('builds a Socket Mode app', () => {
    const slack = createSlackApp(
      deps({ SLACK_BOT_TOKEN: botToken, SLACK_APP_TOKEN: 'xapp-1-test', SLACK_API_URL: fake.url }),
    );

    expect(slack.mode).toBe('socket');
    expect(slack.receiver).toBeNull();
    expect(slack.signingSecret).toBeNull();
    expect((slack.app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(
      SocketModeReceiver,
    );
  });

  it('requires the token and the signing secret', () => {
    expect(codeOf(() => createSlackApp(deps({ SLACK_SIGNING_SECRET: signingSecret })))).toBe(
      'CONFIG_INVALID',
    );
    expect(codeOf(() => createSlackApp(deps({ SLACK_BOT_TOKEN: botToken })))).toBe(
      'CONFIG_INVALID',
    );
  });

  it('fails to start with a rejected token', async () => {
    const slack = createSlackApp(
      deps({
        SLACK_BOT_TOKEN: 'xoxb-revoked',
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: fake.url,
      }),
    );

    await expect(slack.start()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('uses known bot ids without auth.test', async () => {
    const before = fake.callsTo('auth.test').length;
    const slack = createSlackApp({
      ...deps({
        SLACK_BOT_TOKEN: botToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: fake.url,
      }),
      botIdentity: { botId: 'B0CASEBRG', botUserId: 'U0CASEBRG' },
    });

    await slack.start();

    expect(fake.callsTo('auth.test')).toHaveLength(before);
  });
});
