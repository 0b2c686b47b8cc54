/**
 * Keeps one broken piece of the screen from blanking the rest: a render error below is
 * caught and `fallback` shown in its place (one message, one view), logged once to the
 * console. A change of `resetKey` (a new route, a new message body) tries again.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  fallback: ReactNode;
  resetKey?: unknown;
  children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.warn('A part of the screen could not be shown:', error, info.componentStack);
  }

  override componentDidUpdate(prev: Props): void {
    if (this.state.failed && prev.resetKey !== this.props.resetKey) this.setState({ failed: false });
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

/** What a view shows in place of content it could not render. */
export function ViewError() {
  return (
    <div className="main-empty" role="alert">
      <p>Something went wrong showing this. Other conversations and messages are not affected.</p>
    </div>
  );
}
