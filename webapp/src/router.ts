// A tiny history-API router.
import {useSyncExternalStore} from 'react';

const listeners = new Set<() => void>();

function notify() {
    listeners.forEach((l) => l());
}

window.addEventListener('popstate', notify);

export function navigate(path: string, replace = false): void {
    if (path === window.location.pathname) {
        return;
    }
    if (replace) {
        window.history.replaceState(null, '', path);
    } else {
        window.history.pushState(null, '', path);
    }
    notify();
}

export function usePath(): string {
    return useSyncExternalStore(
        (cb) => {
            listeners.add(cb);
            return () => listeners.delete(cb);
        },
        () => window.location.pathname,
    );
}
