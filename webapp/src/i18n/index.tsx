// Localization: react-intl (FormatJS), as Mattermost's web app uses. Components write
// <FormattedMessage id="area.thing" defaultMessage="English text"/> or
// useIntl().formatMessage({id, defaultMessage}); code outside components (actions, helpers) uses
// intl().formatMessage(...) — the same IntlShape the provider hands to components. The catalogs
// (en.json, ru.json, zh-CN.json) map the ids to ICU messages; en.json is extracted from the sources
// (`npm run i18n:extract`), the others are translated from it, and src/test/i18n.test.ts checks that
// every catalog has exactly the source's ids. English is the source (defaultMessage): a missing
// translation falls back to it. Non-English catalogs are loaded on demand (their own chunks).
import {useEffect, useState, type ReactNode} from 'react';
import {createIntl, createIntlCache, RawIntlProvider, type IntlShape} from 'react-intl';

import {useStore} from '../store';

export const DEFAULT_LOCALE = 'en';

type Catalog = Record<string, string>;

/** The languages the UI speaks: code (Mattermost's user `locale`) → the language's own name. */
export const LANGUAGES: {code: string; name: string}[] = [
    {code: 'en', name: 'English'},
    {code: 'ru', name: 'Русский'},
    {code: 'zh-CN', name: '中文 (简体)'},
];

const loaders: Record<string, () => Promise<{default: Catalog}>> = {
    ru: () => import('./ru.json'),
    'zh-CN': () => import('./zh-CN.json'),
};

const loaded: Record<string, Catalog> = {en: {}};

/** Locales offered to users: the supported ones, limited to config.AvailableLocales when it is set. */
export function availableLocales(config: Record<string, string>): string[] {
    const supported = LANGUAGES.map((l) => l.code);
    const allowed = (config.AvailableLocales || '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!allowed.length) {
        return supported;
    }
    const list = supported.filter((c) => allowed.includes(c));
    return list.length ? list : supported;
}

/** Maps a locale code to a supported one: exact, then by language ("zh" → "zh-CN", "ru-RU" → "ru"). */
export function supportedLocale(code: string | undefined): string | null {
    if (!code) {
        return null;
    }
    const lower = code.toLowerCase().replace('_', '-');
    const exact = LANGUAGES.find((l) => l.code.toLowerCase() === lower);
    if (exact) {
        return exact.code;
    }
    const lang = lower.split('-')[0];
    return LANGUAGES.find((l) => l.code.toLowerCase().split('-')[0] === lang)?.code ?? null;
}

// The user's `locale`, else the server's DefaultClientLocale, else English — among the
// available locales (a user's locale the admin has since removed falls back to the default).
export function pickLocale(userLocale: string | undefined, config: Record<string, string>): string {
    const available = availableLocales(config);
    for (const wanted of [userLocale, config.DefaultClientLocale]) {
        const code = supportedLocale(wanted);
        if (code && available.includes(code)) {
            return code;
        }
    }
    return available.includes(DEFAULT_LOCALE) ? DEFAULT_LOCALE : available[0];
}

const cache = createIntlCache();

function makeIntl(locale: string): IntlShape {
    return createIntl({
        locale,
        defaultLocale: DEFAULT_LOCALE,
        messages: loaded[locale] ?? {},
        onError: (err) => {
            // A missing translation falls back to English; report everything else.
            if (err.code !== 'MISSING_TRANSLATION') {
                console.error(err); // eslint-disable-line no-console
            }
        },
    }, cache);
}

let current: IntlShape = makeIntl(DEFAULT_LOCALE);

/** The IntlShape of the language on screen, for code outside React components. */
export function intl(): IntlShape {
    return current;
}

/** Loads a locale's catalog and makes it current (used by the provider, and by tests). */
export async function activateLocale(locale: string): Promise<IntlShape> {
    if (!loaded[locale] && loaders[locale]) {
        loaded[locale] = (await loaders[locale]()).default;
    }
    if (current.locale !== locale) {
        current = makeIntl(loaded[locale] ? locale : DEFAULT_LOCALE);
    }
    return current;
}

function switchTo(locale: string): IntlShape {
    if (current.locale !== locale) {
        current = makeIntl(locale);
    }
    return current;
}

export function I18nProvider({children}: {children: ReactNode}) {
    const locale = useStore((s) => pickLocale(s.me?.locale, s.config));
    const [shape, setShape] = useState<IntlShape | null>(() => (loaded[locale] ? switchTo(locale) : null));

    useEffect(() => {
        let cancelled = false;
        activateLocale(locale).then((next) => {
            if (!cancelled) {
                document.documentElement.lang = next.locale;
                setShape(next);
            }
        }).catch(() => {
            if (!cancelled) {
                setShape(makeIntl(DEFAULT_LOCALE));
            }
        });
        return () => {
            cancelled = true;
        };
    }, [locale]);

    // Until a catalog has arrived the last language stays on screen (English at the start).
    return <RawIntlProvider value={shape ?? current}>{children}</RawIntlProvider>;
}
