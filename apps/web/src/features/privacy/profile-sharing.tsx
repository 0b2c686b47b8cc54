/**
 * Your profile (optional last name, language and time zone) and, per business, which of those
 * it may read. A business always sees your username as your first name; nothing else unless
 * you tick it here, and only what you filled in.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import {
  clearPicture,
  getProfile,
  PICTURE_URL,
  setProfileSharing,
  updateProfile,
  uploadPicture,
  type CustomerProfile,
  type ProfileShareField,
} from './privacy-api';

const FIELD_TEXT: Record<ProfileShareField, string> = {
  last_name: 'Last name',
  profile_pic: 'Profile picture',
  locale: 'Language',
  timezone: 'Time zone',
};
const FIELDS = Object.keys(FIELD_TEXT) as ProfileShareField[];

/** This device's language as a Messenger locale (`de-DE` → `de_DE`), if it names a region. */
export function deviceLocale(language: string | undefined): string | null {
  const match = /^([a-z]{2})[-_]([A-Za-z]{2})\b/.exec(language ?? '');
  return match === null ? null : `${match[1]}_${(match[2] ?? '').toUpperCase()}`;
}

/** This device's offset from UTC in hours, as businesses receive it. */
export const deviceTimezone = (): number => -new Date().getTimezoneOffset() / 60;

const describeOffset = (hours: number) => `UTC${hours >= 0 ? '+' : '−'}${Math.abs(hours)}`;

export function YourProfile() {
  const [profile, setProfile] = useState<CustomerProfile | null>(null);
  const [lastName, setLastName] = useState('');
  const [busy, setBusy] = useState(false);
  /** Changes after each upload so the preview reloads. */
  const [pictureVersion, setPictureVersion] = useState(0);
  const ids = { title: useId(), lastName: useId(), picture: useId() };

  useEffect(() => {
    getProfile()
      .then((p) => {
        setProfile(p);
        setLastName(p.last_name ?? '');
      })
      .catch(() => setProfile(null));
  }, []);

  if (profile === null) return null;

  const save = async (body: Parameters<typeof updateProfile>[0] | (() => Promise<CustomerProfile>), done: string) => {
    setBusy(true);
    try {
      const saved = typeof body === 'function' ? await body() : await updateProfile(body);
      setPictureVersion((v) => v + 1);
      setProfile(saved);
      setLastName(saved.last_name ?? '');
      toast(done, 'success');
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = lastName.trim();
    void save({ last_name: trimmed === '' ? null : trimmed }, 'Profile saved.');
  };
  const locale = deviceLocale(navigator.language);

  return (
    <section className="privacy-card your-profile" aria-labelledby={ids.title}>
      <h3 id={ids.title}>Your profile</h3>
      <p className="muted small">
        Businesses always see your username ({profile.username}) as your first name. They see what you fill in here only
        if you allow it for them below.
      </p>
      <form className="profile-form" onSubmit={onSubmit}>
        <label htmlFor={ids.lastName}>Last name</label>
        <input
          id={ids.lastName}
          type="text"
          autoComplete="family-name"
          maxLength={100}
          value={lastName}
          onChange={(e) => setLastName(e.target.value)}
        />
        <label htmlFor={ids.picture}>Profile picture (PNG, JPEG or WebP, up to 256 KB)</label>
        <div className="profile-picture-row">
          {profile.has_picture && (
            <img
              className="profile-picture"
              src={`${PICTURE_URL}?v=${pictureVersion}`}
              alt="Your profile picture"
              width={48}
              height={48}
            />
          )}
          <input
            id={ids.picture}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file !== undefined) void save(() => uploadPicture(file), 'Picture saved.');
            }}
          />
          {profile.has_picture && (
            <button
              type="button"
              className="button subtle"
              disabled={busy}
              onClick={() => void save(clearPicture, 'Picture removed.')}
            >
              Remove picture
            </button>
          )}
        </div>
        <p className="small">
          Language: <strong>{profile.locale ?? 'not set'}</strong> · Time zone:{' '}
          <strong>{profile.timezone === null ? 'not set' : describeOffset(profile.timezone)}</strong>
        </p>
        <div className="privacy-actions">
          <button
            type="submit"
            className="button primary"
            disabled={busy || lastName.trim() === (profile.last_name ?? '')}
          >
            Save
          </button>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void save({ locale, timezone: deviceTimezone() }, 'Language and time zone saved.')}
          >
            Use this device’s language and time zone
          </button>
          {(profile.locale !== null || profile.timezone !== null || profile.last_name !== null) && (
            <button
              type="button"
              className="button subtle"
              disabled={busy}
              onClick={() => void save({ last_name: null, locale: null, timezone: null }, 'Profile cleared.')}
            >
              Clear
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/** The fields one business may read, saved as soon as a box changes. */
export function ProfileSharingFields({
  pageId,
  pageName,
  shared,
}: {
  pageId: string;
  pageName: string;
  shared: ProfileShareField[];
}) {
  const [fields, setFields] = useState(shared);
  const [busy, setBusy] = useState(false);
  useEffect(() => setFields(shared), [shared]);

  const toggle = async (field: ProfileShareField) => {
    const before = fields;
    const next = fields.includes(field) ? fields.filter((f) => f !== field) : [...fields, field];
    // The switch moves at once; it moves back if the hub refuses.
    setFields(next);
    setBusy(true);
    try {
      setFields((await setProfileSharing(pageId, next)).fields);
      toast(
        `${pageName} ${next.includes(field) ? 'may now see' : 'no longer sees'} your ${FIELD_TEXT[field].toLowerCase()}.`,
        'success',
      );
    } catch (err) {
      setFields(before);
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="privacy-card profile-sharing">
      <fieldset className="consent-fields" disabled={busy}>
        <legend>Profile {pageName} may see besides your first name</legend>
        {FIELDS.map((field) => (
          <label key={field} className="toggle-row">
            <input type="checkbox" role="switch" checked={fields.includes(field)} onChange={() => void toggle(field)} />
            <span className="toggle-text">
              <span className="toggle-title">{FIELD_TEXT[field]}</span>
            </span>
          </label>
        ))}
      </fieldset>
    </div>
  );
}
