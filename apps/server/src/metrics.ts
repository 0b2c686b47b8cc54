/** Prometheus metrics of the hub: counts and durations, never content. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly messagesStored: Counter<'direction'>;
  readonly wsConnections: Gauge;
  readonly webhookDeliveries: Counter<'result'>;
  readonly webhookFailingApps: Gauge;
  /** Sends refused at send time for missing consent, by page, category and reason (counts only). */
  readonly consentRefusals: Counter<'page_id' | 'category' | 'reason'>;
  /** Send API calls per page: stored, and refused by error key (the console's per-page metrics). */
  readonly pageSends: Counter<'page_id'>;
  readonly pageSendErrors: Counter<'page_id' | 'code'>;
  /** Webhook POST latency per page, successful or not. */
  readonly webhookLatency: Histogram<'page_id' | 'result'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'confide_http_requests_total',
      help: 'HTTP requests',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'confide_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    messagesStored: new Counter({
      name: 'confide_messages_stored_total',
      help: 'Messages committed',
      labelNames: ['direction'],
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'confide_ws_connections',
      help: 'Open customer WebSocket connections',
      registers: [registry],
    }),
    pageSends: new Counter({
      name: 'confide_page_sends_total',
      help: 'Send API messages stored, per page',
      labelNames: ['page_id'],
      registers: [registry],
    }),
    pageSendErrors: new Counter({
      name: 'confide_page_send_errors_total',
      help: 'Send API calls refused, per page and error',
      labelNames: ['page_id', 'code'],
      registers: [registry],
    }),
    webhookLatency: new Histogram({
      name: 'confide_webhook_delivery_seconds',
      help: 'Webhook POST latency, per page',
      labelNames: ['page_id', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    consentRefusals: new Counter({
      name: 'confide_consent_refusals_total',
      help: 'Sends refused at send time for missing consent',
      labelNames: ['page_id', 'category', 'reason'],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'confide_webhook_deliveries_total',
      help: 'Webhook POST attempts by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    webhookFailingApps: new Gauge({
      name: 'confide_webhook_failing_apps',
      help: 'Apps whose webhook has failed for more than 15 minutes',
      registers: [registry],
    }),
  };
}
