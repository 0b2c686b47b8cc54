/** Personas the page sends under and the human agents of its inbox. */
import type { OrgRole } from '@confide/protocol';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { consoleApi } from './console-api';

export function PeoplePanel({ pageId, role }: { pageId: string; role: OrgRole }) {
  const [personas, setPersonas] = useState<{ id: string; name: string }[]>([]);
  const [agents, setAgents] = useState<{ id: string; username: string; display_name: string }[]>([]);
  const [agent, setAgent] = useState({ username: '', password: '', display_name: '' });
  const [error, setError] = useState<string | null>(null);
  const manage = role === 'owner' || role === 'agent-admin';
  const reload = useCallback(async () => {
    const [p, a] = await Promise.all([consoleApi.personas(pageId), consoleApi.agents(pageId)]);
    setPersonas(p.data);
    setAgents(a.data);
  }, [pageId]);
  useEffect(() => void reload().catch((err: unknown) => setError(describeError(err))), [reload]);
  return (
    <section className="console-card" aria-labelledby="people-heading">
      <h2 id="people-heading">Personas and inbox agents</h2>
      <p>
        Personas: {personas.map((p) => p.name).join(', ') || 'none'} · Agents (sign in at /inbox):{' '}
        {agents.map((a) => `${a.display_name} (${a.username})`).join(', ') || 'none'}
      </p>
      {manage && (
        <form
          className="console-inline"
          onSubmit={(e) => {
            e.preventDefault();
            setError(null);
            consoleApi.createAgent(pageId, agent).then(
              () => {
                setAgent({ username: '', password: '', display_name: '' });
                return reload();
              },
              (err: unknown) => setError(describeError(err)),
            );
          }}
        >
          <label htmlFor="agent-name">Agent name</label>
          <input
            id="agent-name"
            value={agent.display_name}
            onChange={(e) => setAgent({ ...agent, display_name: e.target.value })}
          />
          <label htmlFor="agent-username">Username</label>
          <input
            id="agent-username"
            autoComplete="off"
            value={agent.username}
            onChange={(e) => setAgent({ ...agent, username: e.target.value })}
          />
          <label htmlFor="agent-password">Password</label>
          <input
            id="agent-password"
            type="password"
            autoComplete="new-password"
            value={agent.password}
            onChange={(e) => setAgent({ ...agent, password: e.target.value })}
          />
          <button className="button" type="submit">
            Add agent
          </button>
        </form>
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
