/**
 * Coming back from the hub's account-linking screen: `/?conversation=<id>&linked=1|0&reason=…`.
 * Opens that conversation and says how it went, then drops the query from the address bar.
 */
import { toast } from '../../components/toasts';
import { navigate, threadPath } from '../../lib/router';

const REASONS: Record<string, string> = {
  cancelled: 'you cancelled it',
  canceled: 'you cancelled it',
  denied: 'access was not granted',
  expired: 'the link expired',
  error: 'the business reported an error',
};

export function consumeLinkReturn(): void {
  const params = new URLSearchParams(location.search);
  const conversation = params.get('conversation');
  const linked = params.get('linked');
  if (conversation === null || conversation === '') return;
  if (linked === '1') toast('Your account is linked.', 'success', 7000);
  else if (linked === '0') {
    const reason = params.get('reason');
    const why = reason === null || reason === '' ? '' : `: ${REASONS[reason] ?? reason.replace(/[_-]+/g, ' ')}`;
    toast(`Account linking did not complete${why}.`, 'error', 8000);
  }
  navigate(threadPath(conversation), { replace: true });
}
