import { cloudeventsConnector } from './cloudevents/cloudevents.connector.ts';
import { dingtalkConnector } from './dingtalk/dingtalk.connector.ts';
import { emailConnector } from './email/email.connector.ts';
import { feishuConnector } from './feishu/feishu.connector.ts';
import { httpPollConnector } from './http-poll/http-poll.connector.ts';
import { httpConnector } from './http/http.connector.ts';
import { postgresConnector } from './postgres/postgres.connector.ts';
import { restSyncConnector } from './rest-sync/rest-sync.connector.ts';
import { scheduleConnector } from './schedule/schedule.connector.ts';
import { slackConnector } from './slack/slack.connector.ts';
import type { Connector } from './spi/connector.ts';
import { wecomConnector } from './wecom/wecom.connector.ts';

/**
 * Every connector flowbridge ships, by id. Targets (with `send`) are node type
 * `target.<id>`; sources (with `poll`) are `source.<id>`.
 */
export const CONNECTORS: readonly Connector<never>[] = [
  httpConnector,
  restSyncConnector,
  slackConnector,
  dingtalkConnector,
  feishuConnector,
  wecomConnector,
  emailConnector,
  postgresConnector,
  cloudeventsConnector,
  scheduleConnector,
  httpPollConnector,
] as readonly Connector<never>[];
