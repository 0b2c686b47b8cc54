/** The centred card the sign-in screens of the messenger and the agent inbox share: brand, heading, lead, then the form. */
import type { ReactNode } from 'react';

export function AuthCard({
  product,
  title,
  lead,
  children,
}: {
  product: string;
  title: string;
  lead: string;
  children: ReactNode;
}) {
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <span>{product}</span>
        </div>
        <h1>{title}</h1>
        <p className="muted">{lead}</p>
        {children}
      </div>
    </main>
  );
}
