// The System Console at /admin_console/...: a navigation of sections and pages (lib/schema.ts)
// and the page on the right. System admins see every page; a sub-admin sees the pages their
// sysconsole_read_* permissions cover, read-only where they lack sysconsole_write_* (lib/access.ts).
import {useCallback, useEffect, useState} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {client} from '../../client';
import {navigate, usePath} from '../../router';
import {useStore} from '../../store';
import {parseAdminPath} from '../lib/paths';
import {canRead, canWrite, firstPagePath, readableSections, type ConsoleAccess} from '../lib/access';
import {SECTIONS, findPage, pagePath} from '../lib/schema';
import {visibleSettings, type Config, type EnvMap} from '../lib/config';
import {ChannelsView} from './Channels';
import {Dialog, ErrorNote, Loading} from './common';
import {JobsView} from './Jobs';
import {PluginsView} from './Plugins';
import {ServerLogs} from './ServerLogs';
import {SettingsPage} from './SettingsPage';
import {SiteStats} from './SiteStats';
import {TeamsView} from './Teams';
import {UserDetail, UsersView} from './Users';
import '../admin.css';

export default function AdminConsole({access}: {access: ConsoleAccess}) {
    const intl = useIntl();
    const path = usePath();
    const me = useStore((s) => s.me);
    const siteName = useStore((s) => s.config.SiteName);
    const route = parseAdminPath(path);
    const [config, setConfig] = useState<Config | null>(null);
    const [env, setEnv] = useState<EnvMap>({});
    const [error, setError] = useState<unknown>(null);
    const [dirty, setDirty] = useState(false);
    const [leaving, setLeaving] = useState<string | null>(null);

    /** Follow a link, unless it would drop unsaved settings without asking. */
    const go = (href: string) => {
        if (dirty && href !== path) {
            setLeaving(href);
        } else {
            navigate(href);
        }
    };

    const load = useCallback(async () => {
        setError(null);
        try {
            const [cfg, environment] = await Promise.all([client.getConfig(), client.getEnvironmentConfig()]);
            setConfig(cfg as unknown as Config);
            setEnv(environment as unknown as EnvMap);
        } catch (e) {
            setError(e);
        }
    }, []);

    useEffect(() => {
        void load();
    }, [load]);

    const sections = readableSections(access, SECTIONS);
    const usersPage = findPage('user_management', 'users');
    const readable = route.kind !== 'page' || Boolean(findPage(route.section, route.page) && canRead(access, findPage(route.section, route.page)!.page));
    const found = route.kind === 'page' && readable ? findPage(route.section, route.page) : null;
    const mayOpenUser = Boolean(usersPage && canRead(access, usersPage.page));
    useEffect(() => {
        if (route.kind === 'root' || route.kind === 'unknown' || (route.kind === 'page' && !found) || (route.kind === 'user' && !mayOpenUser)) {
            navigate(firstPagePath(access, SECTIONS) || '/', true);
        }
    }, [route.kind, found === null, mayOpenUser]);

    useEffect(() => {
        const title = found ? intl.formatMessage(found.page.title) : '';
        document.title = `${title ? `${title} - ` : ''}${intl.formatMessage({id: 'admin.title', defaultMessage: 'System Console'})}`;
    });

    let body;
    if (error) {
        body = <div className='admin-page'><div className='admin-page__body'><ErrorNote error={error}/></div></div>;
    } else if (route.kind === 'user') {
        body = mayOpenUser ? <UserDetail userId={route.userId} readOnly={!canWrite(access, usersPage!.page)} admin={access.admin}/> : <Loading/>;
    } else if (!found) {
        body = <Loading/>;
    } else if (found.page.kind === 'custom') {
        const view = found.page.view;
        const readOnly = !canWrite(access, found.page);
        body = view === 'users' ? <UsersView/>
            : view === 'teams' ? <TeamsView readOnly={readOnly}/>
                : view === 'channels' ? <ChannelsView readOnly={readOnly}/>
                    : view === 'system_analytics' ? <SiteStats config={config}/>
                        : view === 'server_logs' ? <ServerLogs/>
                            : view === 'plugins' ? <PluginsView readOnly={readOnly}/>
                                : <JobsView/>;
    } else if (!config) {
        body = <Loading/>;
    } else {
        body = <SettingsPage key={found.page.id} page={found.page} saved={config} env={env} onSaved={setConfig} onDirty={setDirty} readOnly={!canWrite(access, found.page)}/>;
    }

    const current = found ? pagePath(found.section, found.page) : route.kind === 'user' ? '/admin_console/user_management/users' : '';
    return (
        <div className='admin'>
            <a className='skip-link' href='#admin-main'><FormattedMessage id='admin.skip' defaultMessage='Skip to the page'/></a>
            <nav className='admin-nav' aria-label={intl.formatMessage({id: 'admin.nav', defaultMessage: 'System Console'})}>
                <div className='admin-nav__header'>
                    <a className='admin-nav__back' href='/' onClick={(e) => {
                        e.preventDefault();
                        go('/');
                    }}>
                        ← <FormattedMessage id='admin.back' defaultMessage='Back to {site}' values={{site: siteName || 'chinwag'}}/>
                    </a>
                    <div className='admin-nav__title'><FormattedMessage id='admin.title' defaultMessage='System Console'/></div>
                    {me && <div className='admin-nav__me'>@{me.username}</div>}
                </div>
                <div className='admin-nav__scroll'>
                    {sections.map((section) => (
                        <div key={section.id} className='admin-nav__section'>
                            <h2 className='admin-nav__section-title'>{intl.formatMessage(section.title)}</h2>
                            <ul className='admin-nav__list'>
                                {section.pages.filter((page) => page.kind === 'custom' || !config || visibleSettings(page, config).length > 0).map((page) => {
                                    const href = pagePath(section, page);
                                    const active = href === current;
                                    return (
                                        <li key={page.id}>
                                            <a
                                                href={href}
                                                className={`admin-nav__item${active ? ' is-active' : ''}`}
                                                aria-current={active ? 'page' : undefined}
                                                onClick={(e) => {
                                                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) {
                                                        return;
                                                    }
                                                    e.preventDefault();
                                                    go(href);
                                                }}
                                            >
                                                {intl.formatMessage(page.title)}
                                            </a>
                                        </li>
                                    );
                                })}
                            </ul>
                        </div>
                    ))}
                </div>
            </nav>
            <main className='admin-main' id='admin-main' tabIndex={-1}>{body}</main>
            {leaving && (
                <Dialog
                    title={<FormattedMessage id='admin.leave.title' defaultMessage='Discard unsaved changes?'/>}
                    onClose={() => setLeaving(null)}
                    footer={<>
                        <button type='button' className='btn btn--secondary' onClick={() => setLeaving(null)}>
                            <FormattedMessage id='admin.leave.stay' defaultMessage='Stay on this page'/>
                        </button>
                        <button type='button' className='btn btn--danger' onClick={() => {
                            const href = leaving;
                            setLeaving(null);
                            setDirty(false);
                            navigate(href);
                        }}>
                            <FormattedMessage id='admin.leave.discard' defaultMessage='Discard changes'/>
                        </button>
                    </>}
                >
                    <p><FormattedMessage id='admin.leave.body' defaultMessage='The changes on this page have not been saved. Leave it and lose them?'/></p>
                </Dialog>
            )}
        </div>
    );
}
