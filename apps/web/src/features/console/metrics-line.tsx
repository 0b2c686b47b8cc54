/** A page's metrics from the hub's counters, polled: sends per minute (between two polls), refusals, webhook latency. */
import type { ConsolePageMetrics } from '@confide/protocol';
import { useEffect, useRef, useState } from 'react';
import { consoleApi } from './console-api';

const POLL_MS = 10_000;

export function MetricsLine({ pageId }: { pageId: string }) {
  const [m, setM] = useState<ConsolePageMetrics | null>(null);
  const [perMinute, setPerMinute] = useState<number | null>(null);
  const last = useRef<{ at: number; sends: number } | null>(null);
  useEffect(() => {
    const load = () =>
      consoleApi.metrics(pageId).then(
        (next) => {
          const now = Date.now();
          if (last.current !== null && now > last.current.at)
            setPerMinute(Math.round(((next.sends - last.current.sends) * 60_000) / (now - last.current.at)));
          last.current = { at: now, sends: next.sends };
          setM(next);
        },
        () => undefined,
      );
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [pageId]);
  if (m === null) return null;
  const errors = Object.entries(m.errors)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  return (
    <p className="muted" data-testid="page-metrics">
      {m.sends} sent{perMinute === null ? '' : ` (${perMinute}/min)`} · refused: {errors || 'none'} · webhook p50{' '}
      {m.webhook.p50_ms ?? '–'} ms, p99 {m.webhook.p99_ms ?? '–'} ms, {m.webhook.failed} of {m.webhook.posts} POSTs
      failed · since {new Date(m.since).toLocaleString()}
    </p>
  );
}
