/** A file the customer is sending: a preview or its name, the upload's progress, and retry or discard when it failed. */
import { Icon } from '../../components/icon';
import { discardUpload, retryUpload, type Upload } from './uploads';

export function UploadItem({ upload }: { upload: Upload }) {
  const percent = Math.round(upload.progress * 100);
  const failed = upload.error !== null;
  return (
    <li className={`msg mine pending upload${failed ? ' failed' : ''}`}>
      <div className="bubble upload-bubble">
        {upload.previewUrl !== null ? (
          <img className="upload-preview" src={upload.previewUrl} alt={`Photo ${upload.file.name}`} />
        ) : (
          <span className="file-card">
            <Icon name="file" size={28} />
            <span>{upload.file.name}</span>
          </span>
        )}
        {!failed && (
          <progress className="upload-progress" max={100} value={percent} aria-label={`Sending ${upload.file.name}`}>
            {percent}%
          </progress>
        )}
      </div>
      {failed && (
        <span className="pending-actions" role="alert">
          {upload.error}{' '}
          <button type="button" className="link-button" onClick={() => retryUpload(upload.id)}>
            Retry
          </button>{' '}
          <button type="button" className="link-button" onClick={() => discardUpload(upload.id)}>
            Discard
          </button>
        </span>
      )}
    </li>
  );
}
