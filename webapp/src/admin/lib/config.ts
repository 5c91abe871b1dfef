// Reading and writing settings in a config object by path, client-side checks, and matching the
// server's validation errors to the setting they name.
import type {Setting, SettingsPage} from './types';

export type Config = Record<string, Record<string, unknown>>;
export type EnvMap = Record<string, Record<string, boolean>>;

/** Mattermost's FakeSetting: how GET /config shows a secret that is set. */
export const FAKE_SECRET = '********************************';

function split(key: string): [string, string] {
    const dot = key.indexOf('.');
    return [key.slice(0, dot), key.slice(dot + 1)];
}

export function hasSetting(cfg: Config, key: string): boolean {
    const [section, name] = split(key);
    return Boolean(cfg[section]) && Object.prototype.hasOwnProperty.call(cfg[section], name);
}

export function getValue(cfg: Config, key: string): unknown {
    const [section, name] = split(key);
    return cfg[section]?.[name];
}

/** A copy of `cfg` with `key` set to `value` (the other sections are shared, not copied). */
export function setValue(cfg: Config, key: string, value: unknown): Config {
    const [section, name] = split(key);
    return {...cfg, [section]: {...(cfg[section] || {}), [name]: value}};
}

/** Set by an MM_* environment variable: read-only in the console. */
export function isPinned(env: EnvMap, key: string): boolean {
    const [section, name] = split(key);
    return Boolean(env[section]?.[name]);
}

/** The MM_* variable that pins `key` (Mattermost's naming: MM_<SECTION>_<SETTING>, upper case). */
export function envVarName(key: string): string {
    const [section, name] = split(key);
    return `MM_${section.toUpperCase()}_${name.toUpperCase()}`;
}

/** The settings of `page` the server knows (a setting missing from GET /config is not shown). */
export function visibleSettings(page: SettingsPage, cfg: Config): Setting[] {
    return page.settings.filter((s) => hasSetting(cfg, s.key));
}

/** A setting is off when the setting it depends on (transitively) is off or has another value. */
export function isDisabledByDependency(setting: Setting, all: Setting[], cfg: Config): boolean {
    let current: Setting | undefined = setting;
    const seen = new Set<string>();
    while (current?.dependsOn && !seen.has(current.dependsOn)) {
        const dep: string = current.dependsOn;
        seen.add(dep);
        const value = getValue(cfg, dep);
        if (current.dependsOnValue !== undefined ? value !== current.dependsOnValue : value === false) {
            return true;
        }
        current = all.find((s) => s.key === dep);
    }
    return false;
}

export function changedKeys(page: SettingsPage, saved: Config, draft: Config): string[] {
    return page.settings.filter((s) => JSON.stringify(getValue(saved, s.key)) !== JSON.stringify(getValue(draft, s.key)))
        .map((s) => s.key);
}

/** What a text input shows for a value, and the value typed text stands for. */
export function toInput(setting: Setting, value: unknown): string {
    if (setting.type === 'list') {
        return Array.isArray(value) ? value.join(' ') : '';
    }
    if (value === undefined || value === null) {
        return '';
    }
    return String(value);
}

export function fromInput(setting: Setting, text: string): unknown {
    if (setting.type === 'list') {
        return text.split(/[\s,]+/).filter(Boolean);
    }
    if (setting.type === 'number') {
        const t = text.trim();
        return t !== '' && /^-?\d+$/.test(t) ? Number(t) : text;
    }
    return text;
}

/** Why a value cannot be saved, as a message key and values for it, or null when it is fine. */
export type Problem = {id: 'required' | 'integer' | 'min' | 'max' | 'maxLength' | 'url' | 'email' | 'hostPort'; n?: number};

export function check(setting: Setting, value: unknown): Problem | null {
    const v = setting.validate || {};
    if (setting.type === 'number') {
        if (typeof value !== 'number' || !Number.isInteger(value)) {
            return {id: 'integer'};
        }
        if (v.min !== undefined && value < v.min) {
            return {id: 'min', n: v.min};
        }
        if (v.max !== undefined && value > v.max) {
            return {id: 'max', n: v.max};
        }
        return null;
    }
    if (setting.type === 'bool' || setting.type === 'list') {
        return null;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (setting.type === 'secret' && value === FAKE_SECRET) {
        return null;
    }
    if (!text) {
        return v.required ? {id: 'required'} : null;
    }
    if (v.maxLength !== undefined && text.length > v.maxLength) {
        return {id: 'maxLength', n: v.maxLength};
    }
    if (v.url && !/^https?:\/\/[^\s/]+/i.test(text)) {
        return {id: 'url'};
    }
    if (v.email && !/^[^\s@]+@[^\s@]+$/.test(text)) {
        return {id: 'email'};
    }
    if (v.hostPort && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]*):\d{1,5}$/.test(text)) {
        return {id: 'hostPort'};
    }
    return null;
}

/** Problems of every visible, enabled setting on a page, by key. */
export function checkPage(page: SettingsPage, cfg: Config): Record<string, Problem> {
    const out: Record<string, Problem> = {};
    const shown = visibleSettings(page, cfg);
    for (const s of shown) {
        if (isDisabledByDependency(s, shown, cfg)) {
            continue;
        }
        const p = check(s, getValue(cfg, s.key));
        if (p) {
            out[s.key] = p;
        }
    }
    return out;
}

/**
 * The setting a server error is about. chinwag words config errors "Section.Setting: why"
 * (model.config.is_valid.app_error); a refused environment pin names the settings in
 * detailed_error (app.config.env_override.app_error).
 */
export function errorSetting(err: {message?: string; detailed_error?: string; server_error_id?: string; id?: string}): string | null {
    const m = /^([A-Za-z]+Settings)\.([A-Za-z0-9]+)\b/.exec(err.message || '');
    if (m) {
        return `${m[1]}.${m[2]}`;
    }
    const d = /^([A-Za-z]+Settings)\.([A-Za-z0-9]+)\b/.exec(err.detailed_error || '');
    return d ? `${d[1]}.${d[2]}` : null;
}

/** The server's message without the "Section.Setting: " it starts with. */
export function errorReason(message: string): string {
    return message.replace(/^[A-Za-z]+Settings\.[A-Za-z0-9/]+:\s*/, '');
}
