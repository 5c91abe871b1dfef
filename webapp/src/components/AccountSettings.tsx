// Team menu → Account settings: Profile (picture, names, password), Display (theme, language) and, while the
// server syncs drafts, Advanced (whether mine sync), as Mattermost's Settings → Profile / Display / Advanced.
import {useState, type FormEvent} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {addUsers, savePrefs} from '../actions';
import {client, errorText} from '../client';
import {syncOn} from '../drafts';
import {availableLocales, LANGUAGES} from '../i18n';
import {update, useStore} from '../store';
import {close, Modal} from './Modals';
import {ProfilePicture} from './ProfilePicture';
import {Radios} from './Radios';
import {ThemeSettings} from './ThemeSettings';

type Tab = 'profile' | 'display' | 'advanced';

export function AccountSettings() {
    const intl = useIntl();
    const [tab, setTab] = useState<Tab>('profile');
    // Advanced holds only the draft sync choice, offered while the server syncs drafts (as Mattermost's)
    const advanced = useStore((s) => s.config.AllowSyncedDrafts === 'true');
    const tabs: {id: Tab; label: string}[] = [
        {id: 'profile', label: intl.formatMessage({id: 'account.tab.profile', defaultMessage: 'Profile'})},
        {id: 'display', label: intl.formatMessage({id: 'account.tab.display', defaultMessage: 'Display'})},
        ...(advanced ? [{id: 'advanced' as Tab, label: intl.formatMessage({id: 'account.tab.advanced', defaultMessage: 'Advanced'})}] : []),
    ];
    return (
        <Modal title={intl.formatMessage({id: 'menu.account', defaultMessage: 'Account settings'})} wide>
            <div className='tabs' role='tablist'>
                {tabs.map((t) => (
                    <button key={t.id} type='button' role='tab' id={`account-tab-${t.id}`} aria-selected={tab === t.id}
                        aria-controls={`account-panel-${t.id}`} className={`tabs__tab${tab === t.id ? ' is-on' : ''}`}
                        onClick={() => setTab(t.id)}>
                        {t.label}
                    </button>
                ))}
            </div>
            <div role='tabpanel' id={`account-panel-${tab}`} aria-labelledby={`account-tab-${tab}`}>
                {tab === 'profile' ? <ProfileTab/> : tab === 'advanced' && advanced ? <AdvancedTab/> : <DisplayTab/>}
            </div>
        </Modal>
    );
}

function ProfileTab() {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const [first, setFirst] = useState(me.first_name);
    const [last, setLast] = useState(me.last_name);
    const [nickname, setNickname] = useState(me.nickname);
    const [current, setCurrent] = useState('');
    const [next, setNext] = useState('');
    const [msg, setMsg] = useState('');
    const [error, setError] = useState('');
    const saveProfile = async (e: FormEvent) => {
        e.preventDefault();
        setError('');
        setMsg('');
        try {
            const u = await client.patchMe({first_name: first, last_name: last, nickname});
            addUsers([u]);
            update(() => ({me: u}));
            if (next) {
                await client.updateUserPassword(me.id, current, next);
                setCurrent('');
                setNext('');
            }
            setMsg(intl.formatMessage({id: 'account.saved', defaultMessage: 'Saved.'}));
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'account.save_failed', defaultMessage: 'Could not save.'})));
        }
    };
    return (
        <form className='account-form' onSubmit={saveProfile}>
            <ProfilePicture/>
            <div className='field-row'>
                <label className='field'><span className='field__label'><FormattedMessage id='account.first_name' defaultMessage='First name'/></span>
                    <input className='input' value={first} maxLength={64} onChange={(e) => setFirst(e.target.value)}/></label>
                <label className='field'><span className='field__label'><FormattedMessage id='account.last_name' defaultMessage='Last name'/></span>
                    <input className='input' value={last} maxLength={64} onChange={(e) => setLast(e.target.value)}/></label>
            </div>
            <label className='field'><span className='field__label'><FormattedMessage id='account.nickname' defaultMessage='Nickname'/></span>
                <input className='input' value={nickname} maxLength={64} onChange={(e) => setNickname(e.target.value)}/></label>
            <details className='password-box'>
                <summary><FormattedMessage id='account.change_password' defaultMessage='Change password'/></summary>
                <label className='field'><span className='field__label'><FormattedMessage id='account.current_password' defaultMessage='Current password'/></span>
                    <input className='input' type='password' autoComplete='current-password' value={current} onChange={(e) => setCurrent(e.target.value)}/></label>
                <label className='field'><span className='field__label'><FormattedMessage id='account.new_password' defaultMessage='New password'/></span>
                    <input className='input' type='password' autoComplete='new-password' value={next} onChange={(e) => setNext(e.target.value)}/></label>
            </details>
            {error && <p className='form-error' role='alert'>{error}</p>}
            <div className='account-form__footer'>
                {msg && <span className='form-ok' role='status'>{msg}</span>}
                <span className='spacer'/>
                <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.close' defaultMessage='Close'/></button>
                <button type='submit' className='btn btn--primary'><FormattedMessage id='common.save' defaultMessage='Save'/></button>
            </div>
        </form>
    );
}

function DisplayTab() {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const config = useStore((s) => s.config);
    const locales = availableLocales(config);
    const [error, setError] = useState('');
    const [saving, setSaving] = useState(false);
    // Saves the user's `locale` as Mattermost's web app does (PUT /users/me/patch); the UI
    // switches language when the updated user lands in the store.
    const setLanguage = async (locale: string) => {
        setError('');
        setSaving(true);
        try {
            const u = await client.patchMe({locale});
            addUsers([u]);
            update(() => ({me: u}));
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'account.save_failed', defaultMessage: 'Could not save.'})));
        } finally {
            setSaving(false);
        }
    };
    return (
        <div className='account-form'>
            {config.EnableThemeSelection !== 'false' && <ThemeSettings/>}
            <label className='field'>
                <span className='field__label'><FormattedMessage id='account.language' defaultMessage='Language'/></span>
                <select className='input' name='locale' value={locales.includes(intl.locale) ? intl.locale : locales[0]} disabled={saving}
                    onChange={(e) => void setLanguage(e.target.value)}>
                    {LANGUAGES.filter((l) => locales.includes(l.code)).map((l) => (
                        <option key={l.code} value={l.code} lang={l.code}>{l.name}</option>
                    ))}
                </select>
                <span className='field__hint'>
                    <FormattedMessage id='account.language_hint' defaultMessage='The language of menus, buttons, dates and numbers.'/>
                </span>
            </label>
            {me.locale && !locales.includes(me.locale) && (
                <p className='muted'>
                    <FormattedMessage id='account.language_unavailable' defaultMessage='Your saved language ({code}) is not offered on this server.'
                        values={{code: me.locale}}/>
                </p>
            )}
            {error && <p className='form-error' role='alert'>{error}</p>}
        </div>
    );
}

/** Mattermost's "Allow message drafts to sync with the server" (advanced_settings/sync_drafts, on unless
 * "false"); saved at once, and the composer follows it (drafts.ts). */
function AdvancedTab() {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const on = useStore((s) => syncOn(s.config, s.prefs));
    const [error, setError] = useState('');
    const [saving, setSaving] = useState(false);
    const setSync = async (value: boolean) => {
        setError('');
        setSaving(true);
        try {
            await savePrefs([{user_id: me.id, category: 'advanced_settings', name: 'sync_drafts', value: value ? 'true' : 'false'}]);
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'account.save_failed', defaultMessage: 'Could not save.'})));
        } finally {
            setSaving(false);
        }
    };
    return (
        <div className='account-form'>
            <Radios name='sync_drafts' value={on ? 'true' : 'false'} disabled={saving} onChange={(v) => void setSync(v === 'true')}
                legend={<FormattedMessage id='account.sync_drafts' defaultMessage='Allow message drafts to sync with the server'/>}
                choices={[
                    {value: 'true', label: intl.formatMessage({id: 'account.on', defaultMessage: 'On'})},
                    {value: 'false', label: intl.formatMessage({id: 'account.off', defaultMessage: 'Off'})},
                ]}
                hint={<FormattedMessage id='account.sync_drafts_hint'
                    defaultMessage='When on, your message drafts are kept on the server, so you can finish them on any device. When off, a draft stays only on the device where you typed it.'/>}/>
            {error && <p className='form-error' role='alert'>{error}</p>}
        </div>
    );
}
