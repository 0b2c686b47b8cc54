/** Renders one attachment: media, a file link, or a template. */
import type { Attachment } from '@confide/protocol';
import { Icon } from '../../components/icon';
import { attachmentUrl, str } from '../../lib/payload';
import type { ButtonContext } from './message-button';
import { ButtonTemplate } from './templates/button-template';
import { ConsentNotice, ConsentRequestCard } from './templates/consent-request';
import { GenericTemplate } from './templates/generic-template';
import { ReceiptTemplate } from './templates/receipt-template';
import { UtilityTemplate } from './templates/utility-template';

export function AttachmentView({ attachment, ctx }: { attachment: Attachment; ctx: ButtonContext }) {
  const payload = attachment.payload;
  if (attachment.type === 'template') {
    switch (str(payload, 'template_type')) {
      case 'button':
        return <ButtonTemplate payload={payload} ctx={ctx} />;
      case 'generic':
        return <GenericTemplate payload={payload} ctx={ctx} />;
      case 'receipt':
        return <ReceiptTemplate payload={payload} />;
      case 'utility':
        return <UtilityTemplate payload={payload} ctx={ctx} />;
      // Only the hub posts these (the Send API refuses the type); the card acts through the hub's request record.
      case 'consent_request':
        return <ConsentRequestCard payload={payload} ctx={ctx} />;
      case 'consent_notice':
        return <ConsentNotice payload={payload} ctx={ctx} />;
      default:
        return <p className="bubble unsupported">This message can’t be shown here.</p>;
    }
  }
  const url = attachmentUrl(payload);
  if (url === undefined) return <p className="bubble unsupported">This attachment is unavailable.</p>;
  switch (attachment.type) {
    case 'image':
      return (
        <a className="media" href={url} target="_blank" rel="noopener noreferrer">
          <img
            src={url}
            alt={ctx.mine === true ? `Your photo ${str(payload, 'name') ?? ''}`.trim() : `Image from ${ctx.pageName}`}
            loading="lazy"
          />
        </a>
      );
    case 'video':
      return (
        <video className="media" src={url} controls preload="metadata" aria-label={`Video from ${ctx.pageName}`} />
      );
    case 'audio':
      return (
        <audio
          className="media-audio"
          src={url}
          controls
          preload="metadata"
          aria-label={`Audio from ${ctx.pageName}`}
        />
      );
    default:
      return (
        <a className="file-card" href={url} target="_blank" rel="noopener noreferrer" download>
          <Icon name="file" size={28} />
          <span>{fileName(payload, url)}</span>
          <Icon name="download" size={18} label="Download" />
        </a>
      );
  }
}

function fileName(payload: Record<string, unknown>, url: string): string {
  const named = str(payload, 'name') ?? str(payload, 'filename');
  if (named !== undefined) return named;
  const last = url.split(/[?#]/)[0]?.split('/').pop();
  return last !== undefined && last !== '' ? decodePathSegment(last) : 'File';
}

/** The segment with its %-escapes decoded; a malformed escape (`%E0%A4%A`) leaves the segment as sent. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
