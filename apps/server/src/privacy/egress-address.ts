/**
 * Whether an IP address (as resolved, in numeric form) is on the public internet. The
 * address is parsed, not pattern-matched, so every spelling of the same bits (hex or
 * dotted tails, zero compression) is judged alike. IPv6 forms that carry an IPv4
 * address are judged by that IPv4 address: IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated
 * `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` and 6to4 `2002:aabb:ccdd::/48`. Forms
 * whose embedded address cannot be trusted or routed are refused outright: the deprecated
 * IPv4-compatible `::a.b.c.d` (all of ::/96), local-use NAT64 `64:ff9b:1::/48` and Teredo.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** Only ordinary unicast space counts as public; every special-purpose range is refused. */
function isPublicV4(v4: ipaddr.IPv4): boolean {
  return v4.range() === 'unicast';
}

function v4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The IPv4 address an IPv6 address carries, `null` when it carries one that must be refused, `undefined` when none. */
function embeddedV4(w: number[]): ipaddr.IPv4 | null | undefined {
  const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && w[5] === 0xffff) return v4From(w[6]!, w[7]!); // ::ffff:a.b.c.d (mapped)
  if (zero(0, 4) && w[4] === 0xffff && w[5] === 0) return v4From(w[6]!, w[7]!); // ::ffff:0:a.b.c.d (translated)
  if (zero(0, 6)) return null; // ::a.b.c.d (IPv4-compatible, deprecated), also :: and ::1
  if (w[0] === 0x64 && w[1] === 0xff9b) return zero(2, 6) ? v4From(w[6]!, w[7]!) : null; // NAT64 well-known / local-use
  if (w[0] === 0x2002) return v4From(w[1]!, w[2]!); // 6to4
  if (w[0] === 0x2001 && w[1] === 0) return null; // Teredo (obfuscated client address)
  return undefined;
}

function isPublicV6(v6: ipaddr.IPv6): boolean {
  const embedded = embeddedV4(v6.parts);
  if (embedded === null) return false;
  if (embedded !== undefined) return isPublicV4(embedded);
  // Global unicast is 2000::/3; inside it, documentation, benchmarking, ORCHID, AS112 and the like are special.
  return v6.match(ipaddr.IPv6.parse('2000::'), 3) && v6.range() === 'unicast';
}

/**
 * Whether an IP address is outside the public internet (anything unparseable, and any
 * scoped `%zone` address, counts as outside). IPv6 text is first put in the WHATWG URL
 * parser's canonical hex form: ipaddr.js reads a dotted tail after `::` as IPv4-mapped,
 * which would hide the IPv4-compatible form.
 */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !isPublicV4(ipaddr.IPv4.parse(address));
  if (family !== 6 || address.includes('%')) return true;
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  return !isPublicV6(ipaddr.IPv6.parse(canonical));
}
