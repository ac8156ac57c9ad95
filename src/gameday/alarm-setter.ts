/**
 * Sets CloudWatch alarm states with SetAlarmState, through the real SDK client, so one scenario drives
 * the local simulator and real alarms alike. On AWS, composite alarms hold a state set this way until a
 * child alarm changes; a metric alarm goes back to its real state at its next evaluation (often within
 * seconds), so game days should name composites in `signals`.
 */
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmValue } from '../config/types.ts';

export class AlarmSetter {
  readonly #clients = new Map<string, CloudWatchClient>();

  /**
   * @param makeClient builds the client for a Region; default the SDK's defaults, so
   *   `AWS_ENDPOINT_URL_CLOUDWATCH` and the credential chain apply.
   */
  constructor(
    private readonly makeClient: (region: string) => CloudWatchClient = (region) => new CloudWatchClient({ region }),
  ) {}

  /** SetAlarmState for the alarm `name` in `region`. Rejects with the SDK's error (AccessDenied, ResourceNotFound…). */
  async set(region: string, name: string, value: AlarmValue, reason: string, signal?: AbortSignal): Promise<void> {
    let client = this.#clients.get(region);
    if (!client) {
      client = this.makeClient(region);
      this.#clients.set(region, client);
    }
    await client.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: value, StateReason: reason }), {
      abortSignal: signal,
    });
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}
