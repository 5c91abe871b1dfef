// Small helpers for the Integrations page.

/** The address an incoming webhook accepts posts at (Mattermost's `<site>/hooks/<id>`). */
export function incomingHookUrl(siteUrl: string, id: string): string {
    return `${siteUrl.replace(/\/+$/, '')}/hooks/${id}`;
}

/** Splits a comma/newline separated list, trimming and dropping blanks and duplicates. */
export function splitList(text: string, sep: RegExp = /[,\n]/): string[] {
    const out: string[] = [];
    for (const part of text.split(sep)) {
        const v = part.trim();
        if (v && !out.includes(v)) {
            out.push(v);
        }
    }
    return out;
}

/** A slash-command trigger as typed ("/deploy" or "deploy") without the slash, or an error. */
export function normaliseTrigger(text: string): {trigger: string; error: string} {
    const trigger = text.trim().replace(/^\//, '');
    if (!trigger) {
        return {trigger, error: 'A trigger word is required.'};
    }
    if (/\s|\//.test(trigger)) {
        return {trigger, error: 'A trigger word cannot contain spaces or slashes.'};
    }
    if (trigger.length > 128) {
        return {trigger, error: 'A trigger word can be at most 128 characters long.'};
    }
    return {trigger: trigger.toLowerCase(), error: ''};
}
