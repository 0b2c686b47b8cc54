/**
 * The word the sign-in screen has for someone whose account was just deleted: deletion
 * reloads the app (so no state of the old session survives), and this note crosses the
 * reload in the tab's session storage, read once.
 */
const KEY = 'confide.account-deleted';

export function noteAccountDeleted(): void {
  try {
    sessionStorage.setItem(KEY, '1');
  } catch {
    // Storage can be off (private modes); the screen then just shows the sign-in form.
  }
}

/** True once after `noteAccountDeleted`, then false. */
export function takeAccountDeletedNote(): boolean {
  try {
    const noted = sessionStorage.getItem(KEY) === '1';
    sessionStorage.removeItem(KEY);
    return noted;
  } catch {
    return false;
  }
}
