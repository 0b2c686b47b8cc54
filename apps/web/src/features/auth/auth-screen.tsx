/** Sign in and sign up, on one accessible form with a mode switch. */
import { useState } from 'react';
import { UsernameSchema } from '@confide/protocol';
import { AuthCard } from '../../components/auth-card';
import { CredentialsForm, useCredentialsForm } from '../../components/credentials-form';
import { api } from '../../lib/api';
import { clearAccountDeletedNote, useAccountDeletedNote } from './farewell';
import { setSession } from './session';

type Mode = 'login' | 'signup';

const MIN_PASSWORD = 8;

export function AuthScreen() {
  const [mode, setMode] = useState<Mode>('login');
  const deleted = useAccountDeletedNote();
  const signup = mode === 'signup';
  const form = useCredentialsForm({
    validate: ({ username, password }) => {
      if (!signup) return null;
      if (!UsernameSchema.safeParse(username.trim()).success)
        return { field: 'username', message: 'Usernames are 3–32 letters, digits, dots, dashes or underscores.' };
      return password.length < MIN_PASSWORD
        ? { field: 'password', message: `Choose a password of at least ${MIN_PASSWORD} characters.` }
        : null;
    },
    send: async (body) => {
      const { customer } = signup ? await api.signUp(body) : await api.logIn(body);
      clearAccountDeletedNote();
      setSession(customer);
    },
  });

  return (
    <AuthCard
      product="Confide"
      title={signup ? 'Create your account' : 'Welcome back'}
      lead="Private conversations with your bank and the businesses you trust."
    >
      {deleted && (
        <p className="notice" role="status">
          Your account was deleted. Your conversations were erased and the key that encrypted them destroyed.
        </p>
      )}
      <CredentialsForm
        form={form}
        submitLabel={signup ? 'Sign up' : 'Log in'}
        newPassword={signup ? { minLength: MIN_PASSWORD, hint: `At least ${MIN_PASSWORD} characters.` } : undefined}
      />
      <p className="switch">
        {signup ? 'Already have an account?' : 'New to Confide?'}{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setMode(signup ? 'login' : 'signup');
            form.clearError();
          }}
        >
          {signup ? 'Log in' : 'Create an account'}
        </button>
      </p>
    </AuthCard>
  );
}
