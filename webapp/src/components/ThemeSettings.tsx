// Account settings → Display → Theme: Mattermost's built-in themes, or custom colours (when the
// server allows them), saved in the `theme` preference.
import {useState} from 'react';
import {defineMessages, FormattedMessage, useIntl, type MessageDescriptor} from 'react-intl';

import {currentTheme, setTheme} from '../actions';
import {errorText} from '../client';
import {allowedThemes, builtinKey, THEMES, type Theme} from '../lib/theme';
import {useStore} from '../store';

const NAMES = defineMessages({
    denim: {id: 'theme.denim', defaultMessage: 'Denim'},
    sapphire: {id: 'theme.sapphire', defaultMessage: 'Sapphire'},
    quartz: {id: 'theme.quartz', defaultMessage: 'Quartz'},
    indigo: {id: 'theme.indigo', defaultMessage: 'Indigo'},
    onyx: {id: 'theme.onyx', defaultMessage: 'Onyx'},
    sidebarBg: {id: 'theme.color.sidebar_bg', defaultMessage: 'Sidebar background'},
    sidebarText: {id: 'theme.color.sidebar_text', defaultMessage: 'Sidebar text'},
    sidebarHeaderBg: {id: 'theme.color.sidebar_header', defaultMessage: 'Sidebar header'},
    sidebarTeamBarBg: {id: 'theme.color.team_bar', defaultMessage: 'Team bar'},
    sidebarTextActiveBorder: {id: 'theme.color.active', defaultMessage: 'Current channel marker'},
    onlineIndicator: {id: 'theme.color.online', defaultMessage: 'Online indicator'},
    centerChannelBg: {id: 'theme.color.center_bg', defaultMessage: 'Message area background'},
    centerChannelColor: {id: 'theme.color.center_text', defaultMessage: 'Message text'},
    newMessageSeparator: {id: 'theme.color.new_messages', defaultMessage: 'New messages line'},
    linkColor: {id: 'theme.color.link', defaultMessage: 'Links'},
    buttonBg: {id: 'theme.color.button_bg', defaultMessage: 'Buttons'},
    buttonColor: {id: 'theme.color.button_text', defaultMessage: 'Button text'},
    mentionHighlightBg: {id: 'theme.color.mention', defaultMessage: 'Mention highlight'},
    errorTextColor: {id: 'theme.color.error', defaultMessage: 'Errors'},
}) as unknown as Record<string, MessageDescriptor>;

const CUSTOM_KEYS: Array<keyof Theme> = [
    'sidebarBg', 'sidebarText', 'sidebarHeaderBg', 'sidebarTeamBarBg', 'sidebarTextActiveBorder', 'onlineIndicator',
    'centerChannelBg', 'centerChannelColor', 'newMessageSeparator', 'linkColor', 'buttonBg', 'buttonColor',
    'mentionHighlightBg', 'errorTextColor',
];

function Swatch({theme}: {theme: Theme}) {
    return (
        <span className='theme-swatch' aria-hidden='true'>
            <span style={{background: theme.sidebarBg}}><i style={{background: theme.sidebarTextActiveBorder}}/></span>
            <span style={{background: theme.centerChannelBg}}><i style={{background: theme.buttonBg}}/></span>
        </span>
    );
}

export function ThemeSettings() {
    const intl = useIntl();
    const prefs = useStore((s) => s.prefs);
    const config = useStore((s) => s.config);
    const theme = currentTheme(prefs, config);
    const offered = allowedThemes(config);
    const current = builtinKey(theme);
    const allowCustom = config.AllowCustomThemes !== 'false';
    const [custom, setCustom] = useState<Theme | null>(null);
    const [error, setError] = useState('');

    const save = async (t: Theme) => {
        setError('');
        try {
            await setTheme(t);
        } catch (e) {
            setError(errorText(e, intl.formatMessage({id: 'account.save_failed', defaultMessage: 'Could not save.'})));
        }
    };

    return (
        <fieldset className='radio-group theme-settings'>
            <legend className='field__label'><FormattedMessage id='account.theme' defaultMessage='Theme'/></legend>
            <div className='theme-grid'>
                {Object.entries(THEMES).filter(([key]) => offered.includes(key)).map(([key, t]) => (
                    <label key={key} className={`theme-option${current === key && !custom ? ' is-on' : ''}`}>
                        <input type='radio' name='theme' checked={current === key && !custom} onChange={() => {
                            setCustom(null);
                            void save(t);
                        }}/>
                        <Swatch theme={t}/>
                        <span>{intl.formatMessage(NAMES[key])}</span>
                    </label>
                ))}
                {allowCustom && (
                    <label className={`theme-option${custom || !current ? ' is-on' : ''}`}>
                        <input type='radio' name='theme' checked={Boolean(custom) || !current}
                            onChange={() => setCustom({...theme, type: 'custom'})}/>
                        <Swatch theme={custom ?? theme}/>
                        <span><FormattedMessage id='theme.custom' defaultMessage='Custom'/></span>
                    </label>
                )}
            </div>
            {allowCustom && custom && (
                <div className='theme-custom'>
                    <div className='theme-colors'>
                        {CUSTOM_KEYS.map((k) => (
                            <label key={k} className='theme-color'>
                                <input type='color' value={custom[k]} onChange={(e) => setCustom({...custom, [k]: e.target.value})}/>
                                <span>{intl.formatMessage(NAMES[k])}</span>
                            </label>
                        ))}
                    </div>
                    <button type='button' className='btn btn--small btn--primary' onClick={() => void save(custom).then(() => setCustom(null))}>
                        <FormattedMessage id='theme.save_custom' defaultMessage='Save theme'/>
                    </button>
                </div>
            )}
            {error && <p className='form-error' role='alert'>{error}</p>}
        </fieldset>
    );
}
