// Components that show emoji ask for the table here: the first one that needs it fetches it (its own
// chunk), and each re-renders once it has arrived.
import {useEffect, useSyncExternalStore} from 'react';

import {emojiLoaded, loadEmoji, subscribeEmoji} from '../lib/emoji';

/** Whether the emoji table is here; when ``need`` is true and it is not, fetches it. */
export function useEmoji(need = true): boolean {
    const ready = useSyncExternalStore(subscribeEmoji, emojiLoaded, emojiLoaded);
    useEffect(() => {
        if (need && !ready) {
            loadEmoji().catch(() => undefined); // offline: shortcodes stay text
        }
    }, [need, ready]);
    return ready;
}

/** Whether ``text`` may hold a :shortcode: (then it needs the emoji table to render). */
export function mayHaveShortcode(text: string): boolean {
    return /:[a-z0-9_+-]+:/i.test(text);
}
