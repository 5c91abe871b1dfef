// Small helpers for the Integrations page.
import {intl} from '../i18n';

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
        return {trigger, error: intl().formatMessage({id: 'integrations.trigger.required', defaultMessage: 'A trigger word is required.'})};
    }
    if (/\s|\//.test(trigger)) {
        return {trigger, error: intl().formatMessage({id: 'integrations.trigger.spaces', defaultMessage: 'A trigger word cannot contain spaces or slashes.'})};
    }
    if (trigger.length > 128) {
        return {trigger, error: intl().formatMessage({id: 'integrations.trigger.long', defaultMessage: 'A trigger word can be at most {max} characters long.'}, {max: 128})};
    }
    return {trigger: trigger.toLowerCase(), error: ''};
}

// ---------------------------------------------------------------- one form for every kind

/** One input of an integration form. */
export type FieldSpec = {
    key: string;
    label: string;
    kind: 'text' | 'url' | 'textarea' | 'select' | 'checkbox';
    hint?: string;
    options?: Array<{value: string; label: string}>;
    maxLength?: number;
    placeholder?: string;
};

export type FormValues = Record<string, string | boolean>;

export type ChannelOption = {id: string; display_name: string; name: string; type: string};

/**
 * How one kind of integration is edited: its inputs, the form's values for a new or an existing
 * item, and the request body made from the values (or an error to show instead of sending).
 */
export type KindSpec<T> = {
    /** Which kind: picks the form's and buttons' wording ("Add incoming webhook", "New slash command"). */
    kind: 'incoming' | 'outgoing' | 'command' | 'bot';
    fields: (channels: ChannelOption[]) => FieldSpec[];
    values: (item: T | null, channels: ChannelOption[]) => FormValues;
    payload: (v: FormValues, item: T | null, teamId: string) => {body: Partial<T>; error: string};
};

const str = (v: FormValues, k: string) => String(v[k] ?? '').trim();
const ok = <T>(body: Partial<T>) => ({body, error: ''});

type Incoming = {id: string; channel_id: string; display_name: string; description: string; username: string; icon_url: string; channel_locked: boolean};
type Outgoing = {id: string; team_id: string; channel_id: string; display_name: string; description: string; trigger_words: string[];
    trigger_when: number; callback_urls: string[]; content_type: string};
type CommandLike = {id: string; team_id: string; trigger: string; url: string; method: string; display_name: string; description: string;
    auto_complete: boolean; auto_complete_desc: string; auto_complete_hint: string; username: string; icon_url: string};
type BotLike = {user_id: string; username: string; display_name: string; description: string};

export const incomingSpec: KindSpec<Incoming> = {
    kind: 'incoming',
    fields: (channels) => [
        {key: 'display_name', label: intl().formatMessage({id: 'integrations.field.title', defaultMessage: 'Title'}), kind: 'text', maxLength: 64},
        {key: 'description', label: intl().formatMessage({id: 'integrations.field.description', defaultMessage: 'Description'}), kind: 'text', maxLength: 500},
        {key: 'channel_id', label: intl().formatMessage({id: 'integrations.field.channel', defaultMessage: 'Channel'}), kind: 'select', hint: intl().formatMessage({id: 'integrations.hint.channel', defaultMessage: 'Posts go to this channel unless the payload names another one.'}),
            options: channels.map((c) => ({value: c.id, label: c.display_name}))},
        {key: 'channel_locked', label: intl().formatMessage({id: 'integrations.field.lock', defaultMessage: 'Lock to this channel'}), kind: 'checkbox'},
        {key: 'username', label: intl().formatMessage({id: 'integrations.field.username', defaultMessage: 'Username'}), kind: 'text', hint: intl().formatMessage({id: 'integrations.hint.username', defaultMessage: 'Optional: shown instead of your name.'}), maxLength: 64},
        {key: 'icon_url', label: intl().formatMessage({id: 'integrations.field.icon_url', defaultMessage: 'Profile picture URL'}), kind: 'url', hint: intl().formatMessage({id: 'common.optional_hint', defaultMessage: 'Optional.'}), placeholder: 'https://'},
    ],
    values: (h, channels) => ({
        display_name: h?.display_name ?? '',
        description: h?.description ?? '',
        channel_id: h?.channel_id ?? channels.find((c) => c.name === 'town-square')?.id ?? channels[0]?.id ?? '',
        channel_locked: h?.channel_locked ?? false,
        username: h?.username ?? '',
        icon_url: h?.icon_url ?? '',
    }),
    payload: (v, h) => {
        if (!str(v, 'channel_id')) {
            return {body: {}, error: intl().formatMessage({id: 'integrations.error.channel', defaultMessage: 'Choose a channel.'})};
        }
        return ok({...(h ?? {}), channel_id: str(v, 'channel_id'), display_name: str(v, 'display_name'), description: str(v, 'description'),
            username: str(v, 'username'), icon_url: str(v, 'icon_url'), channel_locked: Boolean(v.channel_locked)});
    },
};

export const outgoingSpec: KindSpec<Outgoing> = {
    kind: 'outgoing',
    fields: (channels) => [
        {key: 'display_name', label: intl().formatMessage({id: 'integrations.field.title', defaultMessage: 'Title'}), kind: 'text', maxLength: 64},
        {key: 'description', label: intl().formatMessage({id: 'integrations.field.description', defaultMessage: 'Description'}), kind: 'text', maxLength: 500},
        {key: 'channel_id', label: intl().formatMessage({id: 'integrations.field.channel', defaultMessage: 'Channel'}), kind: 'select', hint: intl().formatMessage({id: 'integrations.hint.channel_optional', defaultMessage: 'Optional when trigger words are set.'}),
            options: [{value: '', label: intl().formatMessage({id: 'integrations.any_public', defaultMessage: 'Any public channel'})}, ...channels.filter((c) => c.type === 'O').map((c) => ({value: c.id, label: c.display_name}))]},
        {key: 'trigger_words', label: intl().formatMessage({id: 'integrations.field.trigger_words', defaultMessage: 'Trigger words'}), kind: 'text', hint: intl().formatMessage({id: 'integrations.hint.comma', defaultMessage: 'Comma separated.'})},
        {key: 'trigger_when', label: intl().formatMessage({id: 'integrations.field.trigger_when', defaultMessage: 'Trigger when'}), kind: 'select',
            options: [{value: '0', label: intl().formatMessage({id: 'integrations.trigger_when.exact', defaultMessage: 'The first word matches a trigger word exactly'})}, {value: '1', label: intl().formatMessage({id: 'integrations.trigger_when.prefix', defaultMessage: 'The first word starts with a trigger word'})}]},
        {key: 'callback_urls', label: intl().formatMessage({id: 'integrations.field.callbacks', defaultMessage: 'Callback URLs'}), kind: 'textarea', hint: intl().formatMessage({id: 'integrations.hint.per_line', defaultMessage: 'One per line.'})},
        {key: 'json', label: intl().formatMessage({id: 'integrations.field.json', defaultMessage: 'Send JSON (otherwise form-encoded)'}), kind: 'checkbox'},
    ],
    values: (h) => ({
        display_name: h?.display_name ?? '',
        description: h?.description ?? '',
        channel_id: h?.channel_id ?? '',
        trigger_words: (h?.trigger_words ?? []).join(', '),
        trigger_when: String(h?.trigger_when ?? 0),
        callback_urls: (h?.callback_urls ?? []).join('\n'),
        json: h ? h.content_type === 'application/json' : false,
    }),
    payload: (v, h, teamId) => {
        const callbacks = splitList(String(v.callback_urls ?? ''), /\n/);
        const words = splitList(String(v.trigger_words ?? ''));
        if (!callbacks.length) {
            return {body: {}, error: intl().formatMessage({id: 'integrations.error.callbacks', defaultMessage: 'At least one callback URL is required.'})};
        }
        if (!words.length && !str(v, 'channel_id')) {
            return {body: {}, error: intl().formatMessage({id: 'integrations.error.trigger_or_channel', defaultMessage: 'Set trigger words, a channel, or both.'})};
        }
        return ok({...(h ?? {team_id: teamId}), channel_id: str(v, 'channel_id'), display_name: str(v, 'display_name'),
            description: str(v, 'description'), trigger_words: words, trigger_when: Number(v.trigger_when) === 1 ? 1 : 0,
            callback_urls: callbacks, content_type: v.json ? 'application/json' : 'application/x-www-form-urlencoded'});
    },
};

export const commandSpec: KindSpec<CommandLike> = {
    kind: 'command',
    fields: () => [
        {key: 'display_name', label: intl().formatMessage({id: 'integrations.field.title', defaultMessage: 'Title'}), kind: 'text', maxLength: 64},
        {key: 'trigger', label: intl().formatMessage({id: 'integrations.field.trigger', defaultMessage: 'Trigger word'}), kind: 'text', hint: intl().formatMessage({id: 'integrations.hint.trigger', defaultMessage: 'Typed after a slash, e.g. deploy for /deploy.'})},
        {key: 'url', label: intl().formatMessage({id: 'integrations.field.url', defaultMessage: 'Request URL'}), kind: 'url', placeholder: 'https://'},
        {key: 'method', label: intl().formatMessage({id: 'integrations.field.method', defaultMessage: 'Request method'}), kind: 'select', options: [{value: 'P', label: 'POST'}, {value: 'G', label: 'GET'}]},
        {key: 'username', label: intl().formatMessage({id: 'integrations.field.response_username', defaultMessage: 'Response username'}), kind: 'text', hint: intl().formatMessage({id: 'common.optional_hint', defaultMessage: 'Optional.'}), maxLength: 64},
        {key: 'auto_complete', label: intl().formatMessage({id: 'integrations.field.autocomplete', defaultMessage: 'Show in autocomplete'}), kind: 'checkbox'},
        {key: 'auto_complete_hint', label: intl().formatMessage({id: 'integrations.field.autocomplete_hint', defaultMessage: 'Autocomplete hint'}), kind: 'text', placeholder: '[arguments]'},
        {key: 'description', label: intl().formatMessage({id: 'integrations.field.description', defaultMessage: 'Description'}), kind: 'text'},
    ],
    values: (c) => ({
        display_name: c?.display_name ?? '',
        trigger: c?.trigger ?? '',
        url: c?.url ?? '',
        method: c?.method === 'G' ? 'G' : 'P',
        username: c?.username ?? '',
        auto_complete: c ? c.auto_complete : true,
        auto_complete_hint: c?.auto_complete_hint ?? '',
        description: c?.description ?? '',
    }),
    payload: (v, c, teamId) => {
        const t = normaliseTrigger(String(v.trigger ?? ''));
        if (t.error) {
            return {body: {}, error: t.error};
        }
        if (!str(v, 'url')) {
            return {body: {}, error: intl().formatMessage({id: 'integrations.error.url', defaultMessage: 'A request URL is required.'})};
        }
        return ok({...(c ?? {team_id: teamId, icon_url: ''}), trigger: t.trigger, url: str(v, 'url'), method: v.method === 'G' ? 'G' : 'P',
            display_name: str(v, 'display_name'), description: str(v, 'description'), auto_complete: Boolean(v.auto_complete),
            auto_complete_desc: str(v, 'description'), auto_complete_hint: str(v, 'auto_complete_hint'), username: str(v, 'username')});
    },
};

export const botSpec: KindSpec<BotLike> = {
    kind: 'bot',
    fields: () => [
        {key: 'username', label: intl().formatMessage({id: 'integrations.field.username', defaultMessage: 'Username'}), kind: 'text', hint: intl().formatMessage({id: 'integrations.hint.bot_username', defaultMessage: 'Lowercase letters, digits, dots, dashes and underscores.'}), maxLength: 64},
        {key: 'display_name', label: intl().formatMessage({id: 'integrations.field.display_name', defaultMessage: 'Display name'}), kind: 'text', maxLength: 64},
        {key: 'description', label: intl().formatMessage({id: 'integrations.field.description', defaultMessage: 'Description'}), kind: 'text', maxLength: 1024},
    ],
    values: (b) => ({username: b?.username ?? '', display_name: b?.display_name ?? '', description: b?.description ?? ''}),
    payload: (v) => {
        const username = str(v, 'username').toLowerCase();
        if (!username) {
            return {body: {}, error: intl().formatMessage({id: 'integrations.error.username', defaultMessage: 'A username is required.'})};
        }
        return ok({username, display_name: str(v, 'display_name'), description: str(v, 'description')});
    },
};
