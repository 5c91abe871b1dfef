// One settings page, rendered from its schema entry: every setting with its help text and
// default, pinned settings read-only, problems shown on the setting they concern. Nothing is sent
// until Save; only this page's settings change.
import {useEffect, useId, useMemo, useState} from 'react';
import {FormattedMessage, defineMessages, useIntl, type IntlShape, type MessageDescriptor} from 'react-intl';

import {client} from '../../client';
import {
    FAKE_SECRET, changedKeys, checkPage, envVarName, errorReason, errorSetting, fromInput, getValue,
    isDisabledByDependency, isPinned, setValue, toInput, visibleSettings, type Config, type EnvMap, type Problem,
} from '../lib/config';
import type {Action, Setting, SettingsPage as Page} from '../lib/types';
import {ClusterStatus} from './ClusterStatus';
import {PageHeader} from './common';

const problemText = defineMessages({
    required: {id: 'admin.problem.required', defaultMessage: 'This setting is required.'},
    integer: {id: 'admin.problem.integer', defaultMessage: 'Enter a whole number.'},
    min: {id: 'admin.problem.min', defaultMessage: 'Enter a number of at least {n, number}.'},
    max: {id: 'admin.problem.max', defaultMessage: 'Enter a number of at most {n, number}.'},
    maxLength: {id: 'admin.problem.maxLength', defaultMessage: 'Use at most {n, number} characters.'},
    url: {id: 'admin.problem.url', defaultMessage: 'Enter a URL starting with http:// or https://.'},
    email: {id: 'admin.problem.email', defaultMessage: 'Enter an email address.'},
    hostPort: {id: 'admin.problem.hostPort', defaultMessage: 'Enter host:port or :port, e.g. :8065.'},
});

function problemMessage(intl: IntlShape, p: Problem): string {
    return intl.formatMessage(problemText[p.id] as MessageDescriptor, {n: p.n});
}

function defaultText(intl: IntlShape, s: Setting): string {
    const d = s.default;
    if (s.type === 'bool') {
        return d ? intl.formatMessage({id: 'admin.value.true', defaultMessage: 'True'}) : intl.formatMessage({id: 'admin.value.false', defaultMessage: 'False'});
    }
    if (s.type === 'select') {
        const o = s.options?.find((x) => x.value === d);
        if (o) {
            return intl.formatMessage(o.label);
        }
    }
    const text = Array.isArray(d) ? d.join(' ') : String(d);
    return text === '' ? intl.formatMessage({id: 'admin.value.empty', defaultMessage: '(empty)'}) : text;
}

type ActionState = {busy: boolean; ok: boolean; message: string};

export function SettingsPage({page, saved, env, onSaved, onDirty, readOnly = false}: {
    page: Page; saved: Config; env: EnvMap; onSaved: (cfg: Config) => void; onDirty?: (dirty: boolean) => void;
    /** The user may read this page but not write it (no sysconsole_write_<resource>). */
    readOnly?: boolean;
}) {
    const intl = useIntl();
    const [draft, setDraft] = useState<Config>(saved);
    const [problems, setProblems] = useState<Record<string, string>>({});
    const [banner, setBanner] = useState<{ok: boolean; text: string} | null>(null);
    const [saving, setSaving] = useState(false);
    const [actions, setActions] = useState<Partial<Record<Action, ActionState>>>({});

    useEffect(() => {
        setProblems({});
        setBanner(null);
        setActions({});
    }, [page.id]);
    useEffect(() => setDraft(saved), [saved]);

    const shown = useMemo(() => visibleSettings(page, draft), [page, draft]);
    const dirty = changedKeys(page, saved, draft).length > 0;

    useEffect(() => {
        onDirty?.(dirty);
        return () => onDirty?.(false);
    }, [dirty, onDirty]);

    useEffect(() => {
        if (!dirty) {
            return;
        }
        const warn = (e: BeforeUnloadEvent) => e.preventDefault();
        window.addEventListener('beforeunload', warn);
        return () => window.removeEventListener('beforeunload', warn);
    }, [dirty]);

    const change = (key: string, value: unknown) => {
        setDraft((d) => setValue(d, key, value));
        setProblems(({[key]: _gone, ...rest}) => rest);
        setBanner(null);
    };

    /** The saved config with this page's edits on top: what Save sends and the test buttons use. */
    const candidate = (): Config => {
        let out = saved;
        for (const key of changedKeys(page, saved, draft)) {
            out = setValue(out, key, getValue(draft, key));
        }
        return out;
    };

    const save = async () => {
        const local = checkPage(page, draft);
        if (Object.keys(local).length) {
            setProblems(Object.fromEntries(Object.entries(local).map(([k, p]) => [k, problemMessage(intl, p)])));
            setBanner({ok: false, text: intl.formatMessage({id: 'admin.save.fix', defaultMessage: 'Fix the settings marked below, then save again.'})});
            return;
        }
        setSaving(true);
        setBanner(null);
        try {
            const cfg = await client.updateConfig(candidate() as never) as unknown as Config;
            onSaved(cfg);
            setBanner({ok: true, text: intl.formatMessage({id: 'admin.save.done', defaultMessage: 'Settings saved.'})});
        } catch (e) {
            const err = e as {message?: string; detailed_error?: string};
            const key = errorSetting(err);
            if (key && shown.some((s) => s.key === key)) {
                setProblems({[key]: errorReason(err.message || '')});
            }
            setBanner({ok: false, text: err.message || intl.formatMessage({id: 'admin.save.failed', defaultMessage: 'The settings could not be saved.'})});
        } finally {
            setSaving(false);
        }
    };

    const run = async (action: Action) => {
        setActions((a) => ({...a, [action]: {busy: true, ok: false, message: ''}}));
        try {
            const cfg = candidate() as never;
            if (action === 'test_email') {
                await client.testEmail(cfg);
            } else if (action === 'test_s3') {
                await client.testS3Connection(cfg);
            } else if (action === 'test_ldap') {
                await client.testLdap();
            } else {
                await client.syncLdap();
            }
            const ok = {
                test_email: intl.formatMessage({id: 'admin.action.emailSent', defaultMessage: 'No errors were reported while sending an email. Check your inbox.'}),
                test_s3: intl.formatMessage({id: 'admin.action.s3Ok', defaultMessage: 'Connection successful.'}),
                test_ldap: intl.formatMessage({id: 'admin.action.ldapOk', defaultMessage: 'AD/LDAP test successful.'}),
                sync_ldap: intl.formatMessage({id: 'admin.action.ldapSynced', defaultMessage: 'AD/LDAP synchronization done.'}),
            }[action];
            setActions((a) => ({...a, [action]: {busy: false, ok: true, message: ok}}));
        } catch (e) {
            const message = (e as {message?: string}).message || intl.formatMessage({id: 'admin.action.failed', defaultMessage: 'The test failed.'});
            setActions((a) => ({...a, [action]: {busy: false, ok: false, message}}));
        }
    };

    const actionLabel: Record<Action, string> = {
        test_email: intl.formatMessage({id: 'admin.action.testEmail', defaultMessage: 'Send test email'}),
        test_s3: intl.formatMessage({id: 'admin.action.testS3', defaultMessage: 'Test connection'}),
        test_ldap: intl.formatMessage({id: 'admin.action.testLdap', defaultMessage: 'AD/LDAP Test'}),
        sync_ldap: intl.formatMessage({id: 'admin.action.syncLdap', defaultMessage: 'AD/LDAP Synchronize Now'}),
    };

    return (
        <form className='admin-page admin-page--settings' onSubmit={(e) => {
            e.preventDefault();
            void save();
        }}>
            <PageHeader title={intl.formatMessage(page.title)}/>
            <div className='admin-page__body'>
                {page.extra === 'cluster_status' && <ClusterStatus/>}
                {readOnly && (
                    <p className='admin-readonly-note' role='note'>
                        <FormattedMessage id='admin.readOnly.settings' defaultMessage='Your role lets you view these settings but not change them.'/>
                    </p>
                )}
                {page.intro && <p className='admin-page__intro'>{intl.formatMessage(page.intro)}</p>}
                {shown.length === 0 && (
                    <p className='admin-page__intro'>
                        <FormattedMessage id='admin.page.notSupported' defaultMessage='This server has none of these settings.'/>
                    </p>
                )}
                <div className='admin-settings' hidden={shown.length === 0}>
                    {shown.map((s) => (
                        <SettingRow
                            key={s.key}
                            setting={s}
                            value={getValue(draft, s.key)}
                            pinned={isPinned(env, s.key)}
                            disabled={readOnly || isDisabledByDependency(s, shown, draft)}
                            problem={problems[s.key]}
                            onChange={(v) => change(s.key, v)}
                        />
                    ))}
                </div>
                {!readOnly && page.actions && page.actions.length > 0 && (
                    <div className='admin-actions'>
                        {page.actions.map((a) => (
                            <div key={a} className='admin-action'>
                                <button type='button' className='btn btn--secondary' disabled={actions[a]?.busy || (dirty && (a === 'test_ldap' || a === 'sync_ldap'))}
                                    onClick={() => void run(a)}>
                                    {actions[a]?.busy && <span className='admin-inline-spinner' aria-hidden='true'/>}
                                    {actionLabel[a]}
                                </button>
                                {actions[a]?.message && (
                                    <span className={actions[a]!.ok ? 'admin-action__ok' : 'admin-action__error'} role={actions[a]!.ok ? 'status' : 'alert'}>
                                        {actions[a]!.message}
                                    </span>
                                )}
                            </div>
                        ))}
                    </div>
                )}
            </div>
            {!readOnly && (
                <footer className='admin-savebar'>
                    <button type='submit' className='btn btn--primary' disabled={!dirty || saving}>
                        {saving ? <FormattedMessage id='admin.save.saving' defaultMessage='Saving…'/> : <FormattedMessage id='admin.save' defaultMessage='Save'/>}
                    </button>
                    {banner && (
                        <span className={banner.ok ? 'admin-savebar__ok' : 'admin-savebar__error'} role={banner.ok ? 'status' : 'alert'}>
                            {banner.text}
                        </span>
                    )}
                </footer>
            )}
        </form>
    );
}

function SettingRow({setting, value, pinned, disabled, problem, onChange}: {
    setting: Setting; value: unknown; pinned: boolean; disabled: boolean; problem?: string; onChange: (v: unknown) => void;
}) {
    const intl = useIntl();
    const id = useId();
    const label = intl.formatMessage(setting.label);
    const describedBy = [`${id}-help`, problem ? `${id}-problem` : ''].filter(Boolean).join(' ');
    const off = pinned || disabled;
    let control;
    if (setting.type === 'bool') {
        control = (
            <div className='admin-radio' role='radiogroup' aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
                {[true, false].map((v) => (
                    <label key={String(v)} className='admin-radio__item'>
                        <input type='radio' name={id} checked={value === v} disabled={off} onChange={() => onChange(v)}/>
                        {v ? <FormattedMessage id='admin.value.true' defaultMessage='True'/> : <FormattedMessage id='admin.value.false' defaultMessage='False'/>}
                    </label>
                ))}
            </div>
        );
    } else if (setting.type === 'select') {
        const known = setting.options?.some((o) => o.value === value);
        control = (
            <select id={id} className='input' value={String(value ?? '')} disabled={off} aria-describedby={describedBy}
                aria-invalid={problem ? true : undefined} onChange={(e) => onChange(e.target.value)}>
                {!known && <option value={String(value ?? '')}>{String(value ?? '')}</option>}
                {setting.options?.map((o) => <option key={o.value} value={o.value}>{intl.formatMessage(o.label)}</option>)}
            </select>
        );
    } else if (setting.type === 'list') {
        control = (
            <ListInput id={id} setting={setting} value={value} disabled={off} describedBy={describedBy}
                invalid={Boolean(problem)} onChange={onChange}/>
        );
    } else {
        const secret = setting.type === 'secret';
        control = (
            <input
                id={id}
                className='input'
                type={secret ? 'password' : 'text'}
                inputMode={setting.type === 'number' ? 'numeric' : undefined}
                autoComplete={secret ? 'new-password' : 'off'}
                value={toInput(setting, value)}
                placeholder={setting.placeholder}
                disabled={off}
                aria-describedby={describedBy}
                aria-invalid={problem ? true : undefined}
                onFocus={(e) => {
                    if (secret && e.target.value === FAKE_SECRET) {
                        e.target.select();
                    }
                }}
                onChange={(e) => onChange(fromInput(setting, e.target.value))}
            />
        );
    }
    return (
        <div className={`admin-setting${off ? ' admin-setting--off' : ''}${problem ? ' admin-setting--invalid' : ''}`} data-setting={setting.key}>
            {setting.type === 'bool'
                ? <span className='admin-setting__label' id={`${id}-label`}>{label}</span>
                : <label className='admin-setting__label' id={`${id}-label`} htmlFor={id}>{label}</label>}
            <div className='admin-setting__control'>
                {control}
                {problem && <p className='admin-setting__problem' id={`${id}-problem`} role='alert'>{problem}</p>}
                <div className='admin-setting__help' id={`${id}-help`}>
                    {pinned && (
                        <p className='admin-setting__pinned'>
                            <span className='pill'><FormattedMessage id='admin.setting.pinnedPill' defaultMessage='set by environment'/></span>{' '}
                            <FormattedMessage
                                id='admin.setting.pinned'
                                defaultMessage='This setting is set by the environment variable {name} and cannot be changed here.'
                                values={{name: <code>{envVarName(setting.key)}</code>}}
                            />
                        </p>
                    )}
                    {setting.help && <p>{intl.formatMessage(setting.help)}</p>}
                    <p className='admin-setting__default'>
                        <FormattedMessage id='admin.setting.default' defaultMessage='Default: {value}' values={{value: <code>{defaultText(intl, setting)}</code>}}/>
                        {setting.restart && <> · <FormattedMessage id='admin.setting.restart' defaultMessage='Takes effect after a restart.'/></>}
                    </p>
                </div>
            </div>
        </div>
    );
}

/** A list typed as words: the text is kept as typed (a trailing space starts the next word). */
function ListInput({id, setting, value, disabled, describedBy, invalid, onChange}: {
    id: string; setting: Setting; value: unknown; disabled: boolean; describedBy: string; invalid: boolean; onChange: (v: unknown) => void;
}) {
    const [text, setText] = useState(() => toInput(setting, value));
    useEffect(() => {
        // a new value from outside (saved, or another page's reset): show it, unless it is what the text says
        if (JSON.stringify(fromInput(setting, text)) !== JSON.stringify(value ?? [])) {
            setText(toInput(setting, value));
        }
    }, [value]);
    return (
        <input id={id} className='input' type='text' autoComplete='off' value={text} disabled={disabled}
            aria-describedby={describedBy} aria-invalid={invalid || undefined} placeholder={setting.placeholder}
            onChange={(e) => {
                setText(e.target.value);
                onChange(fromInput(setting, e.target.value));
            }}/>
    );
}
