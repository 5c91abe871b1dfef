// Slash commands in the composer.

/** A message that should run as a command rather than be posted: "/word…", but not "//" or "/ ". */
export function isSlashCommand(text: string): boolean {
    return /^\/[^\s/]/.test(text.trimStart());
}

/** While the command word is being typed (no space yet), the partial trigger ("/ec" → "/ec"); else null. */
export function slashTrigger(text: string, caret: number): string | null {
    if (!text.startsWith('/') || text.startsWith('//')) {
        return null;
    }
    const head = text.slice(0, caret);
    if (/\s/.test(head) || caret !== text.length) {
        return null;
    }
    return head;
}

/** Site-relative path for a goto_location on this server, or null when it points elsewhere. */
export function localPath(location: string, origin: string): string | null {
    if (location.startsWith('/') && !location.startsWith('//')) {
        return location;
    }
    try {
        const u = new URL(location);
        return u.origin === origin ? u.pathname + u.search + u.hash : null;
    } catch {
        return null;
    }
}
