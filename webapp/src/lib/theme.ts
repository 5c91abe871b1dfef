// Themes as Mattermost's apps keep them: the `theme` preference (name '' for every team, or a team
// id) holds a JSON object of colours and a `type` naming a built-in theme. The UI maps those colours
// to its CSS variables; a dark centre background switches the dark styles on.
import type {PreferenceType} from '@mattermost/types/preferences';

export type Theme = {
    type: string;
    sidebarBg: string;
    sidebarText: string;
    sidebarUnreadText: string;
    sidebarTextHoverBg: string;
    sidebarTextActiveBorder: string;
    sidebarTextActiveColor: string;
    sidebarHeaderBg: string;
    sidebarHeaderTextColor: string;
    sidebarTeamBarBg: string;
    onlineIndicator: string;
    awayIndicator: string;
    dndIndicator: string;
    mentionBg: string;
    mentionColor: string;
    centerChannelBg: string;
    centerChannelColor: string;
    newMessageSeparator: string;
    linkColor: string;
    buttonBg: string;
    buttonColor: string;
    errorTextColor: string;
    mentionHighlightBg: string;
    mentionHighlightLink: string;
    codeTheme: string;
};

const DENIM: Theme = {
    type: 'Denim', sidebarBg: '#1e325c', sidebarText: '#ffffff', sidebarUnreadText: '#ffffff', sidebarTextHoverBg: '#28427b',
    sidebarTextActiveBorder: '#5d89ea', sidebarTextActiveColor: '#ffffff', sidebarHeaderBg: '#192a4d', sidebarHeaderTextColor: '#ffffff',
    sidebarTeamBarBg: '#14213e', onlineIndicator: '#3db887', awayIndicator: '#ffbc1f', dndIndicator: '#d24b4e', mentionBg: '#ffffff',
    mentionColor: '#1e325c', centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', newMessageSeparator: '#cc8f00',
    linkColor: '#386fe5', buttonBg: '#1c58d9', buttonColor: '#ffffff', errorTextColor: '#d24b4e', mentionHighlightBg: '#ffd470',
    mentionHighlightLink: '#1b1d22', codeTheme: 'github',
};

/** Mattermost's built-in themes. */
export const THEMES: Record<string, Theme> = {
    denim: DENIM,
    sapphire: {
        ...DENIM, type: 'Sapphire', sidebarBg: '#174ab5', sidebarTextHoverBg: '#2a58ba', sidebarTextActiveBorder: '#57b5f0',
        sidebarHeaderBg: '#1542a2', sidebarTeamBarBg: '#13398d', mentionColor: '#174ab5', newMessageSeparator: '#15b7b7',
        linkColor: '#1c58d9', mentionHighlightBg: '#7ff0f0', mentionHighlightLink: '#0d6e6e',
    },
    quartz: {
        ...DENIM, type: 'Quartz', sidebarBg: '#f4f4f6', sidebarText: '#090a0b', sidebarUnreadText: '#2d3039', sidebarTextHoverBg: '#ebebef',
        sidebarTextActiveBorder: '#32a4ec', sidebarTextActiveColor: '#2d3039', sidebarHeaderBg: '#e8e9ed', sidebarHeaderTextColor: '#2d3039',
        sidebarTeamBarBg: '#dddfe4', awayIndicator: '#f5ab07', mentionBg: '#1c58d9', mentionColor: '#ffffff', newMessageSeparator: '#15b7b7',
        linkColor: '#1c58d9', mentionHighlightBg: '#7ff0f0', mentionHighlightLink: '#0d6e6e',
    },
    indigo: {
        ...DENIM, type: 'Indigo', sidebarBg: '#151e32', sidebarTextHoverBg: '#222c3f', sidebarTextActiveBorder: '#4a7ce8',
        sidebarHeaderBg: '#182339', sidebarTeamBarBg: '#0f1626', mentionBg: '#4a7ce8', mentionColor: '#ffffff',
        centerChannelBg: '#111827', centerChannelColor: '#dddfe4', newMessageSeparator: '#81a3ef', linkColor: '#5d89ea',
        buttonBg: '#4a7ce8', mentionHighlightBg: '#133a91', mentionHighlightLink: '#a4f4f4', codeTheme: 'solarized-dark',
    },
    onyx: {
        ...DENIM, type: 'Onyx', sidebarBg: '#202228', sidebarTextHoverBg: '#25262a', sidebarTextActiveBorder: '#4a7ce8',
        sidebarHeaderBg: '#24272d', sidebarTeamBarBg: '#1b1d22', mentionBg: '#4a7ce8', mentionColor: '#ffffff',
        centerChannelBg: '#191b1f', centerChannelColor: '#dddfe4', newMessageSeparator: '#5d89ea', linkColor: '#5d89ea',
        buttonBg: '#4a7ce8', mentionHighlightBg: '#0d6e6e', mentionHighlightLink: '#a4f4f4', codeTheme: 'monokai',
    },
};

export const THEME_KEYS = Object.keys(DENIM).filter((k) => k !== 'type' && k !== 'codeTheme') as Array<keyof Theme>;

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

function rgb(hex: string): [number, number, number] {
    let h = hex.slice(1);
    if (h.length === 3) {
        h = h.split('').map((c) => c + c).join('');
    }
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

const toHex = (c: number[]) => '#' + c.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0')).join('');

export function alpha(hex: string, a: number): string {
    const [r, g, b] = rgb(hex);
    return `rgba(${r}, ${g}, ${b}, ${a})`;
}

/** `a` moved towards `b` by `t` (0…1). */
export function mix(a: string, b: string, t: number): string {
    const x = rgb(a);
    const y = rgb(b);
    return toHex(x.map((v, i) => v + (y[i] - v) * t));
}

export function isDark(theme: Theme): boolean {
    const [r, g, b] = rgb(theme.centerChannelBg).map((v) => v / 255);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5;
}

/** A theme from the preference's JSON: a built-in by `type`, custom colours over it; bad colours ignored. */
export function parseTheme(value: string | undefined, fallback: Theme = DENIM): Theme {
    if (!value) {
        return fallback;
    }
    let raw: Record<string, unknown>;
    try {
        raw = JSON.parse(value) as Record<string, unknown>;
    } catch {
        return fallback;
    }
    if (!raw || typeof raw !== 'object') {
        return fallback;
    }
    const type = typeof raw.type === 'string' ? raw.type : '';
    const base = THEMES[type.toLowerCase()] ?? (type === 'dark' ? THEMES.onyx : fallback);
    const theme: Theme = {...base, type: type || base.type};
    for (const k of THEME_KEYS) {
        const v = raw[k];
        if (typeof v === 'string' && HEX.test(v)) {
            (theme as Record<string, string>)[k] = v.toLowerCase();
        }
    }
    if (typeof raw.codeTheme === 'string') {
        theme.codeTheme = raw.codeTheme;
    }
    return theme;
}

/** The server's DefaultTheme as a built-in ("default" and older names map to their successors), or null. */
export function defaultTheme(name: string | undefined): Theme | null {
    const legacy: Record<string, string> = {default: 'denim', organization: 'sapphire', mattermostdark: 'indigo', windows10: 'quartz'};
    const key = (name || '').toLowerCase();
    return THEMES[legacy[key] ?? key] ?? null;
}

/**
 * The theme in force for a team: the team's own preference, else the one for every team, else the
 * server's DefaultTheme when it is not the plain default, else Denim or Onyx as the system is light or dark.
 */
export function themeFromPrefs(prefs: PreferenceType[], teamId = '', systemDark = false, serverDefault = ''): Theme {
    const pick = (name: string) => prefs.find((p) => p.category === 'theme' && p.name === name)?.value;
    const configured = serverDefault && serverDefault !== 'default' ? defaultTheme(serverDefault) : null;
    return parseTheme((teamId && pick(teamId)) || pick(''), configured ?? (systemDark ? THEMES.onyx : DENIM));
}

/** The built-ins offered: all, or those in the server's AllowedThemes (comma-separated). */
export function allowedThemes(config: Record<string, string>): string[] {
    const allowed = (config.AllowedThemes || '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s in THEMES);
    return allowed.length ? Object.keys(THEMES).filter((k) => allowed.includes(k)) : Object.keys(THEMES);
}

/** Whether the theme is one of the built-ins unchanged (else it is "custom"). */
export function builtinKey(theme: Theme): string {
    return Object.entries(THEMES).find(([, t]) => THEME_KEYS.every((k) => t[k] === theme[k]))?.[0] ?? '';
}

/** The UI's CSS variables for a theme. */
export function cssVars(t: Theme): Record<string, string> {
    const dark = isDark(t);
    return {
        '--teambar-bg': t.sidebarTeamBarBg,
        '--sidebar-bg': t.sidebarBg,
        '--sidebar-header-bg': t.sidebarHeaderBg,
        '--sidebar-text': alpha(t.sidebarText, 0.72),
        '--sidebar-text-strong': t.sidebarUnreadText,
        '--sidebar-hover': alpha(t.sidebarText, 0.08),
        '--sidebar-active': alpha(t.sidebarTextActiveBorder, 0.28),
        '--sidebar-active-bar': t.sidebarTextActiveBorder,
        '--sidebar-active-text': t.sidebarTextActiveColor,
        '--sidebar-fg': t.sidebarText,
        '--sidebar-header-text': t.sidebarHeaderTextColor,
        '--teambar-tile': alpha(t.sidebarHeaderTextColor, 0.14),
        '--teambar-tile-hover': alpha(t.sidebarHeaderTextColor, 0.22),
        '--teambar-line': alpha(t.sidebarHeaderTextColor, 0.32),
        '--bg': t.centerChannelBg,
        '--bg-soft': mix(t.centerChannelBg, t.centerChannelColor, 0.04),
        '--bg-hover': alpha(t.centerChannelColor, 0.06),
        '--text': t.centerChannelColor,
        '--text-strong': mix(t.centerChannelColor, dark ? '#ffffff' : '#000000', 0.45),
        '--text-muted': alpha(t.centerChannelColor, 0.78),
        '--border': alpha(t.centerChannelColor, 0.14),
        '--accent': t.buttonBg,
        '--accent-hover': mix(t.buttonBg, dark ? '#ffffff' : '#000000', 0.1),
        '--accent-soft': alpha(t.buttonBg, dark ? 0.14 : 0.08),
        '--accent-text': t.buttonColor,
        '--link': t.linkColor,
        '--mention-bg': alpha(t.mentionHighlightBg, dark ? 0.16 : 0.24),
        '--mention-text': t.linkColor,
        '--highlight': alpha(t.mentionHighlightBg, 0.4),
        '--danger': t.errorTextColor,
        '--online': t.onlineIndicator,
        '--new-separator': t.newMessageSeparator,
        '--code-bg': alpha(t.centerChannelColor, 0.06),
    };
}

/** The preference value for a theme (Mattermost's shape). */
export function themeValue(t: Theme): string {
    return JSON.stringify(t);
}
