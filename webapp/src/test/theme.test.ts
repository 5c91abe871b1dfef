import {describe, expect, it} from 'vitest';

import {
    allowedThemes, alpha, builtinKey, cssVars, defaultTheme, isDark, mix, parseTheme, themeFromPrefs, THEMES, themeValue,
} from '../lib/theme';

const pref = (value: string, name = '') => ({user_id: 'u', category: 'theme', name, value});

describe('themes', () => {
    it('has Mattermost’s five built-ins, two of them dark', () => {
        expect(Object.keys(THEMES)).toEqual(['denim', 'sapphire', 'quartz', 'indigo', 'onyx']);
        expect(Object.entries(THEMES).filter(([, t]) => isDark(t)).map(([k]) => k)).toEqual(['indigo', 'onyx']);
    });

    it('reads the preference: a built-in by type, custom colours over it, bad values ignored', () => {
        expect(parseTheme('{"type":"Onyx"}')).toEqual(THEMES.onyx);
        expect(parseTheme('{"type":"dark"}').centerChannelBg).toBe(THEMES.onyx.centerChannelBg);
        const custom = parseTheme(JSON.stringify({type: 'custom', sidebarBg: '#AA0000', centerChannelBg: 'red', linkColor: '#abc'}));
        expect(custom.sidebarBg).toBe('#aa0000');
        expect(custom.centerChannelBg).toBe(THEMES.denim.centerChannelBg);
        expect(custom.linkColor).toBe('#abc');
        expect(builtinKey(custom)).toBe('');
        expect(builtinKey(parseTheme(themeValue(THEMES.quartz)))).toBe('quartz');
        expect(parseTheme('not json')).toEqual(THEMES.denim);
    });

    it('takes the team’s theme, else the one for all teams, else the system’s', () => {
        const prefs = [pref('{"type":"Sapphire"}'), pref('{"type":"Indigo"}', 'team1')];
        expect(themeFromPrefs(prefs, 'team1').type).toBe('Indigo');
        expect(themeFromPrefs(prefs, 'team2').type).toBe('Sapphire');
        expect(themeFromPrefs([], '', true)).toEqual(THEMES.onyx);
        expect(themeFromPrefs([], '', false)).toEqual(THEMES.denim);
        // the server's DefaultTheme for users who chose none
        expect(themeFromPrefs([], '', false, 'onyx')).toEqual(THEMES.onyx);
        expect(themeFromPrefs([], '', true, 'default')).toEqual(THEMES.onyx);
        expect(themeFromPrefs(prefs, '', false, 'quartz').type).toBe('Sapphire');
        expect(defaultTheme('mattermostDark')).toEqual(THEMES.indigo);
        expect(defaultTheme('nope')).toBeNull();
    });

    it('offers the built-ins the server allows', () => {
        expect(allowedThemes({})).toEqual(['denim', 'sapphire', 'quartz', 'indigo', 'onyx']);
        expect(allowedThemes({AllowedThemes: 'onyx, Quartz,unknown'})).toEqual(['quartz', 'onyx']);
    });

    it('maps colours to the UI’s CSS variables', () => {
        const v = cssVars(THEMES.quartz);
        expect(v['--sidebar-bg']).toBe('#f4f4f6');
        expect(v['--sidebar-text']).toBe('rgba(9, 10, 11, 0.72)');
        expect(v['--accent']).toBe('#1c58d9');
        expect(v['--link']).toBe('#1c58d9');
        expect(cssVars(THEMES.onyx)['--bg']).toBe('#191b1f');
        expect(alpha('#fff', 0.5)).toBe('rgba(255, 255, 255, 0.5)');
        expect(mix('#000000', '#ffffff', 0.5)).toBe('#808080');
    });
});
