/**
 * The word the sign-in screen has for someone whose account was just deleted. Deletion
 * also ends the session's stream (close code 4401), which can bring the sign-in screen
 * up before the deletion's own answer arrives: the note is a small store the screen
 * watches, so it shows whichever comes first, and stays until the next sign-in.
 */
import { createStore, useStore } from '../../lib/store';

const deleted = createStore(false);

export const noteAccountDeleted = () => deleted.set(() => true);
export const clearAccountDeletedNote = () => deleted.set(() => false);
export const useAccountDeletedNote = () => useStore(deleted, (d) => d);
