/** Shared set-up of the console tests: signing in, calling the console API, an organisation with a member per role. */
import type { TestHub } from './helpers.js';

export const CONSOLE_PASSWORD = 'owner password 1';

export function consoleKit(hubOf: () => TestHub) {
  const hub = () => hubOf();

  /** Signs a member in; the console session cookie header value. */
  async function signIn(username: string): Promise<string> {
    const res = await hub().app.inject({
      method: 'POST',
      url: '/console/api/login',
      payload: { username, password: CONSOLE_PASSWORD },
    });
    return `confide_console=${res.cookies.find((c) => c.name === 'confide_console')?.value}`;
  }

  const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, cookie: string, payload?: object) =>
    hub().app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) });

  /**
   * An organisation `name` created by the operator, its owner `<prefix>-owner` signed in, a developer,
   * an agent admin and a viewer who joined by invitation (`<prefix>-dev`, `-aa`, `-viewer`), and a
   * bank page named like the organisation.
   */
  async function org(name: string, prefix: string) {
    await hub().services.console.members.createOrganisation(
      { name, username: `${prefix}-owner`, password: CONSOLE_PASSWORD },
      'operator',
    );
    const owner = await signIn(`${prefix}-owner`);
    const join = async (role: string, username: string) => {
      const invite = (await call('POST', '/console/api/invites', owner, { role })).json();
      await hub().app.inject({
        method: 'POST',
        url: '/console/api/invites/accept',
        payload: { code: invite.code, username, password: CONSOLE_PASSWORD },
      });
      return signIn(username);
    };
    const page = (await call('POST', '/console/api/pages', owner, { name, category: 'bank' })).json();
    return {
      owner,
      developer: await join('developer', `${prefix}-dev`),
      agentAdmin: await join('agent-admin', `${prefix}-aa`),
      viewer: await join('viewer', `${prefix}-viewer`),
      page,
    };
  }

  return { signIn, call, org };
}
