/** A business's initials on a colour derived from its id (stable, readable contrast). */
const HUES = [214, 262, 330, 12, 150, 190, 38];

export function Avatar({ id, name, size = 'md' }: { id: string; name: string; size?: 'sm' | 'md' | 'lg' }) {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const initials =
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]?.toUpperCase() ?? '')
      .join('') || '?';
  return (
    <span className={`avatar avatar-${size} hue-${HUES[hash % HUES.length]}`} aria-hidden="true">
      {initials}
    </span>
  );
}
