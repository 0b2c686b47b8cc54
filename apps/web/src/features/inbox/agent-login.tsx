/** Agent login: the page's human agents sign in with the account `confide agent create` made. */
import { AuthCard } from '../../components/auth-card';
import { CredentialsForm, useCredentialsForm } from '../../components/credentials-form';
import { SsoButton } from '../../components/sso-button';
import { inboxApi } from './inbox-api';
import { setAgent } from './inbox-state';

export function AgentLogin() {
  const form = useCredentialsForm({ send: async (body) => setAgent((await inboxApi.logIn(body)).agent) });
  return (
    <AuthCard
      product="Confide Inbox"
      title="Agent sign in"
      lead="Answer the customers your bank's assistant handed over to a person."
    >
      <CredentialsForm form={form} submitLabel="Log in" />
      <SsoButton base="/inbox/api/sso" />
    </AuthCard>
  );
}
