import { createHub, loadConfig, type Hub } from '@confide/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CONSOLE_OWNER, ensureConsoleOrganisation, ensurePage, SANDBOX_BANK_PAGE } from './provision.js';

describe('demo provisioning: the Sandbox Bank in the business console', () => {
  let hub: Hub;
  beforeEach(async () => {
    const config = loadConfig(
      { NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', DATA_DIR: './data-test', SERVICES: 'api' },
      () => undefined,
    );
    hub = await createHub(config, { memory: true });
  });
  afterEach(async () => {
    await hub.close();
  });

  it('seeds the organisation and owner once, owning the bank page, across restarts', async () => {
    const bank = await ensurePage(hub, SANDBOX_BANK_PAGE);
    await ensureConsoleOrganisation(hub, bank.pageId);
    await ensureConsoleOrganisation(hub, bank.pageId);
    const login = await hub.app.inject({
      method: 'POST',
      url: '/console/api/login',
      payload: { username: DEMO_CONSOLE_OWNER.username, password: DEMO_CONSOLE_OWNER.password },
    });
    expect(login.json()).toMatchObject({ member: { role: 'owner' }, organisation: { name: 'Sandbox Bank' } });
    const cookie = `confide_console=${login.cookies.find((c) => c.name === 'confide_console')?.value}`;
    const pages = (await hub.app.inject({ method: 'GET', url: '/console/api/pages', headers: { cookie } })).json().data;
    expect(pages).toEqual([{ id: bank.pageId, name: 'Sandbox Bank', category: 'bank', app_id: bank.appId }]);
    expect(await hub.ctx.storage.db.selectFrom('organisations').select('id').execute()).toHaveLength(1);
  });
});
