/**
 * A business's picture when it has one (served by the hub), else its initials on a colour derived
 * from its id (stable, readable contrast). Decorative: the name is always written next to it.
 */
const HUES = [214, 262, 330, 12, 150, 190, 38];

export function Avatar({
  id,
  name,
  size = 'md',
  picture_url: picture,
}: {
  id: string;
  name: string;
  size?: 'sm' | 'md' | 'lg';
  /** The business's picture on the hub, when it has one. */
  picture_url?: string | undefined;
}) {
  if (picture !== undefined)
    return <img className={`avatar avatar-${size} avatar-picture`} src={picture} alt="" aria-hidden="true" />;
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
