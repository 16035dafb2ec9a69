import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { ReceiverMultipleAckError } from '@slack/bolt';
import { describeError } from '../../describe-error.ts';
import type { Logger } from '../../log.ts';

/** A verified and parsed Slack request, as the HTTP route hands it over. */
export interface SlackDelivery {
  body: Record<string, unknown>;
  retryNum?: number;
  retryReason?: string;
}

/** The HTTP response body to a Slack request: empty, text, or JSON such as form errors. */
export type SlackAckResponse =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'json'; json: unknown };

/**
 * A Bolt receiver that does not listen itself: our HTTP server verifies each request, and
 * `dispatch` runs it through the app. The HTTP response is sent when a listener calls `ack()` (or
 * when processing ends without one) while the listener goes on, which is Bolt's
 * `processBeforeResponse: false`: Slack gets its response within its 3 seconds, before any slow work.
 */
export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly logger: Logger) {}

  init(app: App): void {
    this.app = app;
  }

  /** The HTTP server is started and stopped by its owner. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Runs a delivery through the app and resolves with the response once it is acknowledged. */
  dispatch(delivery: SlackDelivery): Promise<SlackAckResponse> {
    const app = this.app;
    if (app === undefined) throw new Error('SlackHttpReceiver.dispatch was called before App.init');

    return new Promise((resolve) => {
      let acknowledged = false;
      const respond = (body: SlackAckResponse) => {
        if (acknowledged) return false;
        acknowledged = true;
        resolve(body);
        return true;
      };

      const event: ReceiverEvent = {
        body: delivery.body,
        ack: async (response?: unknown) => {
          if (!respond(ackBody(response))) throw new ReceiverMultipleAckError();
        },
      };
      if (delivery.retryNum !== undefined) event.retryNum = delivery.retryNum;
      if (delivery.retryReason !== undefined) event.retryReason = delivery.retryReason;

      app.processEvent(event).then(
        () => {
          // No listener matched (a button of another app, an event type without a listener):
          // Slack still needs a 200, or it shows the person an error and retries events.
          if (respond({ kind: 'empty' })) this.logger.debug('slack request had no listener');
        },
        (error: unknown) => {
          this.logger.error({ err: describeError(error) }, 'slack request processing failed');
          respond({ kind: 'empty' });
        },
      );
    });
  }
}

function ackBody(response: unknown): SlackAckResponse {
  if (response === undefined || response === null || response === '') return { kind: 'empty' };
  if (typeof response === 'string') return { kind: 'text', text: response };
  return { kind: 'json', json: response };
}
