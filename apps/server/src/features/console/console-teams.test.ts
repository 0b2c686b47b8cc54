/**
 * Inbox teams in the console: agent admins and owners list, create, rename, switch auto-assign,
 * set business hours and delete teams, and put agents in them with a capacity; developers and
 * viewers read only; bad names, hours and capacities are refused with nothing written; every
 * change is audited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleKit } from '../../../test/console-kit.js';
import { buildTestHub, DIALECTS, type TestHub } from '../../../test/helpers.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: console inbox teams`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const { call, org: newOrg } = consoleKit(() => hub);
    const org = () => newOrg('Team Bank', 'team');
    const HOURS = { tz: 'Europe/London', open: '09:00', close: '17:00', days: [1, 2, 3, 4, 5] };

    it('agent admins create, rename, reconfigure and delete teams and place agents; others read only', async () => {
      const { owner, developer, agentAdmin, viewer, page } = await org();
      const teams = `/console/api/pages/${page.id}/teams`;
      for (const who of [developer, viewer])
        expect((await call('POST', teams, who, { name: 'Fraud' })).statusCode).toBe(403);
      const created = await call('POST', teams, agentAdmin, { name: 'Fraud', hours: HOURS });
      expect(created.statusCode).toBe(201);
      const fraud = created.json();
      expect(fraud).toEqual({ id: expect.any(String), name: 'Fraud', auto_assign: true, hours: HOURS, agent_ids: [] });
      const cards = (await call('POST', teams, owner, { name: 'Cards', auto_assign: false })).json();

      const agent = (
        await call('POST', `/console/api/pages/${page.id}/agents`, agentAdmin, {
          username: 'dana.agent',
          password: 'agent password 1',
          display_name: 'Dana',
        })
      ).json();
      expect(agent).toMatchObject({ team_id: null, capacity: 3 });
      const placeUrl = `/console/api/pages/${page.id}/agents/${agent.id}`;
      expect((await call('PUT', placeUrl, viewer, { team_id: fraud.id })).statusCode).toBe(403);
      const placed = await call('PUT', placeUrl, agentAdmin, { team_id: fraud.id, capacity: 5 });
      expect(placed.statusCode).toBe(200);
      expect(placed.json()).toMatchObject({ id: agent.id, team_id: fraud.id, capacity: 5 });
      // The inbox sees the same: the agent is in Fraud with capacity 5.
      const row = await hub.ctx.storage.db
        .selectFrom('agents')
        .select(['team_id', 'capacity'])
        .where('id', '=', agent.id)
        .executeTakeFirstOrThrow();
      expect({ team_id: row.team_id, capacity: Number(row.capacity) }).toEqual({ team_id: fraud.id, capacity: 5 });

      const renamed = await call('PUT', `${teams}/${fraud.id}`, agentAdmin, { name: 'Fraud desk', hours: null });
      expect(renamed.json()).toEqual({
        id: fraud.id,
        name: 'Fraud desk',
        auto_assign: true,
        hours: null,
        agent_ids: [agent.id],
      });
      expect((await call('PUT', `${teams}/${cards.id}`, owner, { auto_assign: true })).json().auto_assign).toBe(true);
      const listed = (await call('GET', teams, viewer)).json().data;
      expect(listed.map((t: { name: string }) => t.name)).toEqual(['Cards', 'Fraud desk']);

      expect((await call('DELETE', `${teams}/${fraud.id}`, developer)).statusCode).toBe(403);
      expect((await call('DELETE', `${teams}/${fraud.id}`, agentAdmin)).json()).toEqual({ deleted: true });
      expect((await call('GET', teams, viewer)).json().data.map((t: { id: string }) => t.id)).toEqual([cards.id]);
      // The agent stays, in no team.
      expect((await call('GET', `/console/api/pages/${page.id}/agents`, viewer)).json().data).toEqual([
        expect.objectContaining({ id: agent.id, team_id: null, capacity: 5 }),
      ]);
      const audited = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', 'like', 'console.team%')
        .orderBy('seq')
        .execute();
      expect(audited.map((a) => a.action)).toEqual([
        'console.team_created',
        'console.team_created',
        'console.team_changed',
        'console.team_changed',
        'console.team_deleted',
      ]);
    });

    it('refuses bad names, taken names, bad hours and capacities, and unknown teams, writing nothing', async () => {
      const { agentAdmin, page } = await org();
      const teams = `/console/api/pages/${page.id}/teams`;
      const fraud = (await call('POST', teams, agentAdmin, { name: 'Fraud' })).json();
      const agent = (
        await call('POST', `/console/api/pages/${page.id}/agents`, agentAdmin, {
          username: 'eve.agent',
          password: 'agent password 1',
          display_name: 'Eve',
        })
      ).json();
      const before = {
        teams: await hub.ctx.storage.db.selectFrom('inbox_teams').selectAll().execute(),
        agents: await hub.ctx.storage.db.selectFrom('agents').select(['id', 'team_id', 'capacity']).execute(),
      };
      const refused: Array<[string, string, object]> = [
        ['POST', teams, { name: '<b>x</b>' }],
        ['POST', teams, { name: 'fraud' }],
        ['POST', teams, { name: 'Night', hours: { ...HOURS, tz: 'Mars/Olympus' } }],
        ['POST', teams, { name: 'Night', hours: { ...HOURS, open: '25:00' } }],
        ['PUT', `${teams}/${fraud.id}`, {}],
        ['PUT', `${teams}/${fraud.id}`, { name: 'x'.repeat(41) }],
        ['PUT', `/console/api/pages/${page.id}/agents/${agent.id}`, { capacity: 0 }],
        ['PUT', `/console/api/pages/${page.id}/agents/${agent.id}`, { capacity: 51 }],
      ];
      for (const [method, url, body] of refused) {
        const res = await call(method as 'POST', url, agentAdmin, body);
        expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
        expect(res.json().error.message).toEqual(expect.any(String));
      }
      for (const [method, url, body] of [
        ['PUT', `${teams}/tm_nope`, { name: 'X' }],
        ['DELETE', `${teams}/tm_nope`, undefined],
        ['PUT', `/console/api/pages/${page.id}/agents/${agent.id}`, { team_id: 'tm_nope' }],
        ['PUT', `/console/api/pages/${page.id}/agents/ag_nope`, { capacity: 2 }],
      ] as const) {
        expect((await call(method, url, agentAdmin, body)).statusCode).toBe(404);
      }
      expect({
        teams: await hub.ctx.storage.db.selectFrom('inbox_teams').selectAll().execute(),
        agents: await hub.ctx.storage.db.selectFrom('agents').select(['id', 'team_id', 'capacity']).execute(),
      }).toEqual(before);
    });
  });
}
