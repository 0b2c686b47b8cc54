import { Platform } from '@confide/sdk';
import { describe, expect, it } from 'vitest';
import { fakeHub, type FakeHub } from '../../test/fake-hub.js';
import { BANK_TEMPLATES, FRAUD_CHECK, LOW_BALANCE } from '../bank/templates.js';
import { TemplateSetupError, UtilityTemplates, type TemplateSpec } from './utility-templates.js';

const platformOf = (hub: FakeHub) => new Platform({ baseUrl: 'http://hub.test', accessToken: 'tok', fetch: hub.fetch });
const creates = (hub: FakeHub) => hub.requests.filter((r) => r.method === 'POST' && r.path === '/me/message_templates');
const statusUpdate = (spec: TemplateSpec, event: 'APPROVED' | 'REJECTED') => ({
  event,
  message_template_id: '1000',
  message_template_name: spec.name,
  message_template_language: spec.language,
  message_template_category: 'UTILITY',
  reason: 'NONE',
});

describe('UtilityTemplates.ensure', () => {
  it('creates each template once at start-up and reuses approved ones on the next start', async () => {
    const hub = fakeHub();
    const first = new UtilityTemplates({ platform: platformOf(hub), specs: BANK_TEMPLATES });
    expect(first.ready).toBe(false);
    await Promise.all([first.ensure(), first.ensure()]);
    expect(first.ready).toBe(true);
    expect(creates(hub).map((r) => r.body.name)).toEqual(BANK_TEMPLATES.map((t) => t.name));
    expect(creates(hub)[0]?.body).toMatchObject({
      category: 'UTILITY',
      notification_category: 'fraud_alerts',
      language: 'en',
    });

    const again = new UtilityTemplates({ platform: platformOf(hub), specs: BANK_TEMPLATES });
    await again.ensure();
    expect(creates(hub)).toHaveLength(BANK_TEMPLATES.length);
  });

  it('stops the start-up with a clear error when the hub rejects a template (and when a rejected one exists)', async () => {
    const hub = fakeHub();
    hub.templateStatus.set(LOW_BALANCE.name, 'REJECTED');
    const templates = new UtilityTemplates({ platform: platformOf(hub), specs: [LOW_BALANCE] });
    const err: unknown = await templates.ensure().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateSetupError);
    expect(String(err)).toContain('sandbox_low_balance (en) was rejected (SCAM)');
    expect(templates.ready).toBe(false);
    // The next start finds the rejected template: the same error, and no second create.
    const next = new UtilityTemplates({ platform: platformOf(hub), specs: [LOW_BALANCE] });
    await expect(next.ensure()).rejects.toThrow(/sandbox_low_balance \(en\) was rejected/);
    expect(creates(hub)).toHaveLength(1);
  });

  it('refuses to reuse a template of that name whose texts or category differ', async () => {
    const hub = fakeHub();
    await new UtilityTemplates({ platform: platformOf(hub), specs: [LOW_BALANCE] }).ensure();
    const changed: TemplateSpec = {
      ...LOW_BALANCE,
      components: [{ type: 'BODY', text: 'Your balance of {{1}} is low, please check your account.' }],
    };
    await expect(new UtilityTemplates({ platform: platformOf(hub), specs: [changed] }).ensure()).rejects.toThrow(
      /exists with other content \(texts or buttons\)/,
    );
    const recategorised: TemplateSpec = { ...LOW_BALANCE, notification_category: 'transactions' };
    await expect(new UtilityTemplates({ platform: platformOf(hub), specs: [recategorised] }).ensure()).rejects.toThrow(
      /category balances, not transactions/,
    );
  });

  it('waits for a template in review: the status webhook wakes it at once', async () => {
    const hub = fakeHub();
    hub.templateStatus.set(FRAUD_CHECK.name, 'PENDING');
    const templates = new UtilityTemplates({ platform: platformOf(hub), specs: [FRAUD_CHECK], pollMs: 60_000 });
    const ready = templates.ensure();
    await new Promise((r) => setTimeout(r, 50));
    expect(templates.ready).toBe(false);
    hub.templateStatus.set(FRAUD_CHECK.name, 'APPROVED');
    templates.onStatus(statusUpdate(FRAUD_CHECK, 'APPROVED'));
    await ready;
    expect(templates.ready).toBe(true);
  });

  it('waits for a template in review by reading its status again, and gives up after the timeout', async () => {
    const hub = fakeHub();
    hub.templateStatus.set(FRAUD_CHECK.name, 'PENDING');
    const polled = new UtilityTemplates({ platform: platformOf(hub), specs: [FRAUD_CHECK], pollMs: 20 });
    const ready = polled.ensure();
    setTimeout(() => hub.templateStatus.set(FRAUD_CHECK.name, 'REJECTED'), 60);
    await expect(ready).rejects.toThrow(/sandbox_fraud_check \(en\) was rejected/);

    hub.templateStatus.set(FRAUD_CHECK.name, 'PENDING');
    const slow = new UtilityTemplates({
      platform: platformOf(hub),
      specs: [FRAUD_CHECK],
      pollMs: 10,
      approvalTimeoutMs: 50,
    });
    await expect(slow.ensure()).rejects.toThrow(/still in review after 50 ms/);
  });
});
