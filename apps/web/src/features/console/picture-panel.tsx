/** The page's picture as customers see it: owners and developers upload (PNG, JPEG or WebP) or remove it. */
import type { ConsolePage, OrgRole } from '@confide/protocol';
import { useState } from 'react';
import { describeError } from '../../lib/api';
import { Avatar } from '../../components/avatar';
import { canIntegrate, consoleApi, uploadPagePicture } from './console-api';

export function PicturePanel({
  page,
  role,
  onChange,
}: {
  page: ConsolePage;
  role: OrgRole;
  onChange: (page: ConsolePage) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (work: Promise<ConsolePage>) => {
    setBusy(true);
    setError(null);
    work.then(onChange, (err: unknown) => setError(describeError(err))).finally(() => setBusy(false));
  };
  return (
    <div className="console-picture">
      <h2 id="picture-heading">Picture</h2>
      <Avatar id={page.id} name={page.name} size="lg" picture_url={page.picture_url} />
      <p className="muted small">
        {page.picture_url === undefined ? 'No picture: customers see the initials.' : 'Customers see this picture.'}
      </p>
      {canIntegrate(role) && (
        <div className="console-inline">
          <label htmlFor="page-picture">Upload a picture (PNG, JPEG or WebP, up to 1 MB, 32–2048 px)</label>
          <input
            id="page-picture"
            type="file"
            accept="image/png,image/jpeg,image/webp"
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file !== undefined) run(uploadPagePicture(page.id, file));
            }}
          />
          {page.picture_url !== undefined && (
            <button
              className="button subtle"
              type="button"
              disabled={busy}
              onClick={() => run(consoleApi.clearPicture(page.id))}
            >
              Remove picture
            </button>
          )}
        </div>
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
