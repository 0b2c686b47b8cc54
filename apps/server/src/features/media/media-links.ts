/**
 * Links to the hub's image proxy, minted when the hub presents a message to someone.
 * A business's external image URLs (image attachments, template `image_url`s, quick-reply
 * icons, persona pictures) are rewritten to `/api/media/image?url=…&sig=…` (agents:
 * `/inbox/api/media/image`), where `sig` is an HMAC over the viewer and the URL. So the
 * proxy only ever fetches URLs the hub itself showed to that viewer, and a link copied to
 * another customer is refused (docs/privacy.md, "Images from businesses").
 */
import type { ChatMessage, MessageBody, MessagePersona, ServerFrame } from '@confide/protocol';
import { createHmac, hkdfSync } from 'node:crypto';
import type { Config } from '../../config.js';
import { safeEqual } from '../../crypto/tokens.js';

/** Who a link is minted for: a customer, or an agent of a page. */
export type MediaViewer = { kind: 'customer'; id: string } | { kind: 'agent'; id: string };

/** Path of the proxy route per viewer kind (the agent cookie is scoped to /inbox/api). */
export const MEDIA_PATHS = { customer: '/api/media/image', agent: '/inbox/api/media/image' } as const;

/** Length of a link signature: 22 base64url characters, 132 bits of HMAC-SHA256. */
export const SIGNATURE_LENGTH = 22;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a message has anything a link may replace (a text without a persona picture has not: shown as it is). */
function mayLink(message: Pick<ChatMessage, 'body' | 'persona'>): boolean {
  const { body } = message;
  return (
    body.attachment !== undefined ||
    body.attachments !== undefined ||
    body.quick_replies !== undefined ||
    message.persona?.profile_picture_url != null
  );
}

export class MediaLinks {
  readonly #key: Buffer;
  readonly #ownOrigin: string;

  constructor(serviceKey: Buffer, publicUrl: string) {
    this.#key = Buffer.from(hkdfSync('sha256', serviceKey, Buffer.alloc(0), 'confide media links v1', 32));
    this.#ownOrigin = new URL(publicUrl).origin;
  }

  /** The signature binding `url` to `viewer`. */
  sign(viewer: MediaViewer, url: string): string {
    return createHmac('sha256', this.#key)
      .update(`${viewer.kind}:${viewer.id}\n${url}`)
      .digest('base64url')
      .slice(0, SIGNATURE_LENGTH);
  }

  /** Whether `sig` was minted for this viewer and URL (constant-time). */
  verify(viewer: MediaViewer, url: string, sig: string): boolean {
    return safeEqual(this.sign(viewer, url), sig);
  }

  /** The proxied path for an external http(s) URL; anything else (own origin, other schemes) as given. */
  link(viewer: MediaViewer, url: string): string {
    if (!this.isExternal(url)) return url;
    return `${MEDIA_PATHS[viewer.kind]}?url=${encodeURIComponent(url)}&sig=${this.sign(viewer, url)}`;
  }

  /** A message body with every external image URL proxied (a copy; the input is never changed). */
  body(viewer: MediaViewer, body: MessageBody): MessageBody {
    const out: MessageBody = { ...body };
    if (body.attachment !== undefined) out.attachment = this.#attachment(viewer, body.attachment);
    if (body.attachments !== undefined) out.attachments = body.attachments.map((a) => this.#attachment(viewer, a));
    if (body.quick_replies !== undefined) {
      out.quick_replies = body.quick_replies.map((q) =>
        q.image_url === undefined ? q : { ...q, image_url: this.link(viewer, q.image_url) },
      );
    }
    return out;
  }

  /** A persona with its picture proxied. */
  persona<P extends MessagePersona | null | undefined>(viewer: MediaViewer, persona: P): P {
    if (persona?.profile_picture_url == null) return persona;
    return { ...persona, profile_picture_url: this.link(viewer, persona.profile_picture_url) } as P;
  }

  /** A presented message (customer or inbox shape) with its body and persona proxied. */
  message<T extends Pick<ChatMessage, 'body' | 'persona'>>(viewer: MediaViewer, message: T): T {
    return { ...message, body: this.body(viewer, message.body), persona: this.persona(viewer, message.persona) };
  }

  /** A stream frame with its message proxied (frames from the bus are shared: copied, never changed). */
  frame(viewer: MediaViewer, frame: ServerFrame): ServerFrame {
    if (frame.type !== 'message' || !mayLink(frame.message)) return frame;
    return { ...frame, message: this.message(viewer, frame.message) };
  }

  isExternal(url: string): boolean {
    try {
      const parsed = new URL(url);
      return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.origin !== this.#ownOrigin;
    } catch {
      return false;
    }
  }

  #attachment<A extends { type: string; payload: Json }>(viewer: MediaViewer, attachment: A): A {
    const { payload } = attachment;
    if (attachment.type === 'image' && typeof payload['url'] === 'string') {
      return { ...attachment, payload: { ...payload, url: this.link(viewer, payload['url']) } };
    }
    if (attachment.type === 'template' && Array.isArray(payload['elements'])) {
      const elements = payload['elements'].map((el: unknown) =>
        isObject(el) && typeof el['image_url'] === 'string'
          ? { ...el, image_url: this.link(viewer, el['image_url']) }
          : el,
      );
      return { ...attachment, payload: { ...payload, elements } };
    }
    return attachment;
  }
}

const byConfig = new WeakMap<object, MediaLinks>();

/** The hub's link minter (one per configuration, keyed by the service key). */
export function mediaLinksFor(config: Pick<Config, 'serviceKey' | 'publicUrl'>): MediaLinks {
  let links = byConfig.get(config);
  if (links === undefined) {
    links = new MediaLinks(config.serviceKey, config.publicUrl);
    byConfig.set(config, links);
  }
  return links;
}
