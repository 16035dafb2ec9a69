import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { caseCommandName } from '../../../src/chat/slack/listeners/case-command.ts';
import type { Json } from './slack-payloads.ts';

const manifest = parse(
  readFileSync(new URL('../../../manifests/slack/manifest.yaml', import.meta.url), 'utf8'),
) as Json;
const requestUrl = 'https://<your-host>/slack/events';

describe('Slack app manifest', () => {
  it('sends everything to /slack/events', () => {
    expect(manifest.settings.event_subscriptions.request_url).toBe(requestUrl);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: requestUrl });
    expect(manifest.features.slash_commands).toHaveLength(1);
    expect(manifest.features.slash_commands[0].command).toBe(caseCommandName);
    expect(manifest.features.slash_commands[0].url).toBe(requestUrl);
  });

  it('subscribes to the events the app handles', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('asks only for the scopes the Web API calls need', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'channels:read',
      'chat:write',
      'commands',
      'groups:read',
      'im:write',
      'users:read',
      'users:read.email',
    ]);
  });
});
