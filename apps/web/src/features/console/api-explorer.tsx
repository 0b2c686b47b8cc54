/**
 * The API explorer: pick a Platform API endpoint, fill its fields, read the `curl` command,
 * and call the real API with a page token the member pastes (the console never keeps
 * tokens; they are shown once). The call goes from the browser to this hub's Graph API.
 */
import { useId, useState } from 'react';

const VERSION = 'v25.0';

interface Field {
  name: string;
  label: string;
  placeholder?: string;
}

interface Endpoint {
  id: string;
  title: string;
  fields: Field[];
  build(v: Record<string, string>): { method: 'GET' | 'POST'; path: string; body?: unknown };
}

const ENDPOINTS: Endpoint[] = [
  {
    id: 'me',
    title: 'GET /me — the page behind the token',
    fields: [],
    build: () => ({ method: 'GET', path: `/${VERSION}/me` }),
  },
  {
    id: 'send',
    title: 'POST /me/messages — send a text',
    fields: [
      { name: 'psid', label: 'Recipient PSID', placeholder: 'from a messages webhook' },
      { name: 'text', label: 'Text', placeholder: 'Hello from the console' },
    ],
    build: (v) => ({
      method: 'POST',
      path: `/${VERSION}/me/messages`,
      body: { recipient: { id: v['psid'] ?? '' }, messaging_type: 'RESPONSE', message: { text: v['text'] ?? '' } },
    }),
  },
  {
    id: 'profile',
    title: 'GET /me/messenger_profile — greeting, get started, menu, ice breakers',
    fields: [],
    build: () => ({
      method: 'GET',
      path: `/${VERSION}/me/messenger_profile?fields=greeting,get_started,persistent_menu,ice_breakers`,
    }),
  },
  {
    id: 'personas',
    title: 'GET /me/personas — personas',
    fields: [],
    build: () => ({ method: 'GET', path: `/${VERSION}/me/personas` }),
  },
  {
    id: 'templates',
    title: 'GET /me/message_templates — utility templates',
    fields: [],
    build: () => ({ method: 'GET', path: `/${VERSION}/me/message_templates` }),
  },
];

/** Single-quoted for a POSIX shell. */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlOf(origin: string, request: { method: string; path: string; body?: unknown }): string {
  const parts = [
    `curl -X ${request.method} ${shellQuote(origin + request.path)}`,
    `-H 'Authorization: Bearer $PAGE_TOKEN'`,
  ];
  if (request.body !== undefined)
    parts.push(`-H 'content-type: application/json'`, `-d ${shellQuote(JSON.stringify(request.body))}`);
  return parts.join(' \\\n  ');
}

export function ApiExplorer() {
  const ids = { endpoint: useId(), token: useId() };
  const [endpointId, setEndpointId] = useState('me');
  const [token, setToken] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [answer, setAnswer] = useState<{ status: number; body: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const endpoint = ENDPOINTS.find((e) => e.id === endpointId) ?? (ENDPOINTS[0] as Endpoint);
  const request = endpoint.build(values);

  const send = async () => {
    setBusy(true);
    setAnswer(null);
    try {
      const res = await fetch(request.path, {
        method: request.method,
        headers: {
          authorization: `Bearer ${token.trim()}`,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        credentials: 'omit',
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      const text = await res.text();
      let pretty = text;
      try {
        pretty = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Not JSON: shown as it came.
      }
      setAnswer({ status: res.status, body: pretty });
    } catch {
      setAnswer({ status: 0, body: 'Network unavailable.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="console-card" aria-labelledby="explorer-heading">
      <h1 id="explorer-heading">API explorer</h1>
      <p className="muted">
        Calls this hub's Platform API with the page token you paste. Tokens are shown once when created; the console
        does not keep them.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label htmlFor={ids.endpoint}>Endpoint</label>
        <select
          id={ids.endpoint}
          value={endpointId}
          onChange={(e) => {
            setEndpointId(e.target.value);
            setAnswer(null);
          }}
        >
          {ENDPOINTS.map((e) => (
            <option key={e.id} value={e.id}>
              {e.title}
            </option>
          ))}
        </select>
        <label htmlFor={ids.token}>Page access token</label>
        <input
          id={ids.token}
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        {endpoint.fields.map((f) => (
          <FieldInput
            key={`${endpoint.id}:${f.name}`}
            field={f}
            value={values[f.name] ?? ''}
            onChange={(v) => setValues({ ...values, [f.name]: v })}
          />
        ))}
        <label>curl</label>
        <pre className="console-code" data-testid="explorer-curl">
          {curlOf(location.origin, request)}
        </pre>
        <button className="button primary" type="submit" disabled={busy || token.trim() === ''}>
          Send request
        </button>
      </form>
      {answer !== null && (
        <div role="status">
          <p>
            Answer: <strong data-testid="explorer-status">HTTP {answer.status}</strong>
          </p>
          <pre className="console-code" data-testid="explorer-answer">
            {answer.body}
          </pre>
        </div>
      )}
    </section>
  );
}

function FieldInput({ field, value, onChange }: { field: Field; value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{field.label}</label>
      <input id={id} value={value} placeholder={field.placeholder} onChange={(e) => onChange(e.target.value)} />
    </>
  );
}
