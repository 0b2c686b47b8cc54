/** Inbox teams of the page: create, rename, auto-assign, business hours, delete; agents placed in teams. */
import type { ConsoleAgent, ConsoleBusinessHours, ConsoleTeam, OrgRole } from '@confide/protocol';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { consoleApi } from './console-api';

/** Weekdays 09:00–17:00 in the browser's time zone: the hours a team gets when they are switched on. */
const officeHours = (): ConsoleBusinessHours => ({
  tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
  open: '09:00',
  close: '17:00',
  days: [1, 2, 3, 4, 5],
});

export function TeamsPanel({ pageId, role }: { pageId: string; role: OrgRole }) {
  const [teams, setTeams] = useState<ConsoleTeam[]>([]);
  const [agents, setAgents] = useState<ConsoleAgent[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const manage = role === 'owner' || role === 'agent-admin';
  const reload = useCallback(async () => {
    const [t, a] = await Promise.all([consoleApi.teams(pageId), consoleApi.agents(pageId)]);
    setTeams(t.data);
    setAgents(a.data);
  }, [pageId]);
  useEffect(() => void reload().catch((err: unknown) => setError(describeError(err))), [reload]);
  const act = (work: Promise<unknown>) => {
    setError(null);
    work.then(reload).catch((err: unknown) => setError(describeError(err)));
  };
  return (
    <section className="console-card" aria-labelledby="teams-heading">
      <h2 id="teams-heading">Inbox teams</h2>
      {teams.length === 0 && <p className="muted">No teams yet: hand-overs wait for any agent of the page.</p>}
      <ul className="console-list">
        {teams.map((t) => (
          <TeamRow
            key={t.id}
            team={t}
            manage={manage}
            onChange={(body) => act(consoleApi.updateTeam(pageId, t.id, body))}
            onDelete={() => act(consoleApi.deleteTeam(pageId, t.id))}
          />
        ))}
      </ul>
      {manage && (
        <form
          className="console-inline"
          onSubmit={(e) => {
            e.preventDefault();
            act(consoleApi.createTeam(pageId, { name, auto_assign: true, hours: null }).then(() => setName('')));
          }}
        >
          <label htmlFor="team-name">New team</label>
          <input id="team-name" value={name} maxLength={40} onChange={(e) => setName(e.target.value)} />
          <button className="button" type="submit" disabled={name.trim() === ''}>
            Create team
          </button>
        </form>
      )}
      <AgentTeams
        agents={agents}
        teams={teams}
        manage={manage}
        place={(id, body) => act(consoleApi.placeAgent(pageId, id, body))}
      />
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function TeamRow({
  team,
  manage,
  onChange,
  onDelete,
}: {
  team: ConsoleTeam;
  manage: boolean;
  onChange: (body: { name?: string; auto_assign?: boolean; hours?: ConsoleBusinessHours | null }) => void;
  onDelete: () => void;
}) {
  const [name, setName] = useState(team.name);
  const hours = team.hours;
  return (
    <li className="console-team">
      <input
        aria-label={`Name of team ${team.name}`}
        value={name}
        maxLength={40}
        disabled={!manage}
        onChange={(e) => setName(e.target.value)}
        onBlur={() => name !== team.name && onChange({ name })}
      />
      <label>
        <input
          type="checkbox"
          checked={team.auto_assign}
          disabled={!manage}
          onChange={(e) => onChange({ auto_assign: e.target.checked })}
        />{' '}
        Auto-assign
      </label>
      <label>
        <input
          type="checkbox"
          checked={hours !== null}
          disabled={!manage}
          onChange={(e) => onChange({ hours: e.target.checked ? officeHours() : null })}
        />{' '}
        Business hours{hours !== null && `: ${hours.open}–${hours.close} (${hours.tz})`}
      </label>
      <span className="muted small">{`${team.agent_ids.length} agent${team.agent_ids.length === 1 ? '' : 's'}`}</span>
      {manage && (
        <button className="button subtle" type="button" onClick={onDelete}>
          Delete {team.name}
        </button>
      )}
    </li>
  );
}

const AGENT_COLUMNS = ['Agent', 'Team', 'Capacity'].map((c) => (
  <th key={c} scope="col">
    {c}
  </th>
));

/** Each agent's team and capacity (conversations at once). */
function AgentTeams({
  agents,
  teams,
  manage,
  place,
}: {
  agents: ConsoleAgent[];
  teams: ConsoleTeam[];
  manage: boolean;
  place: (agentId: string, body: { team_id?: string | null; capacity?: number }) => void;
}) {
  if (agents.length === 0) return null;
  return (
    <table className="console-table">
      <caption>Agents</caption>
      <thead>
        <tr>{AGENT_COLUMNS}</tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <tr key={a.id}>
            <td>{a.display_name}</td>
            <td>
              <select
                aria-label={`Team of ${a.display_name}`}
                value={a.team_id ?? ''}
                disabled={!manage}
                onChange={(e) => place(a.id, { team_id: e.target.value === '' ? null : e.target.value })}
              >
                <option value="">No team</option>
                {teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </td>
            <td>
              <input
                aria-label={`Capacity of ${a.display_name}`}
                type="number"
                min={1}
                max={50}
                defaultValue={a.capacity}
                disabled={!manage}
                onBlur={(e) => {
                  const capacity = Number(e.target.value);
                  if (capacity !== a.capacity) place(a.id, { capacity });
                }}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
