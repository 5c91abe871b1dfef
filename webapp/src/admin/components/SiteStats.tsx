// Site statistics from GET /analytics/old: totals, posts and active posters per day, and where the
// Prometheus metrics are.
import {useEffect, useState} from 'react';
import {FormattedMessage, FormattedNumber, useIntl, type MessageDescriptor, defineMessages} from 'react-intl';

import {client} from '../../client';
import {useStore} from '../../store';
import {getValue, type Config} from '../lib/config';
import {metricsUrl, rowsToMap, type Row} from '../lib/stats';
import {ErrorNote, Loading, PageHeader} from './common';

const labels = defineMessages({
    unique_user_count: {id: 'admin.stats.users', defaultMessage: 'Total Active Users'},
    inactive_user_count: {id: 'admin.stats.inactiveUsers', defaultMessage: 'Total Inactive Users'},
    team_count: {id: 'admin.stats.teams', defaultMessage: 'Total Teams'},
    channel_open_count: {id: 'admin.stats.publicChannels', defaultMessage: 'Public Channels'},
    channel_private_count: {id: 'admin.stats.privateChannels', defaultMessage: 'Private Channels'},
    post_count: {id: 'admin.stats.posts', defaultMessage: 'Total Posts'},
    daily_active_users: {id: 'admin.stats.dau', defaultMessage: 'Daily Active Users'},
    monthly_active_users: {id: 'admin.stats.mau', defaultMessage: 'Monthly Active Users'},
    total_websocket_connections: {id: 'admin.stats.websockets', defaultMessage: 'WebSocket Connections'},
    total_master_db_connections: {id: 'admin.stats.dbConnections', defaultMessage: 'Database Connections'},
    session_count: {id: 'admin.stats.sessions', defaultMessage: 'Sessions'},
    command_count: {id: 'admin.stats.commands', defaultMessage: 'Slash Commands'},
    incoming_webhook_count: {id: 'admin.stats.incoming', defaultMessage: 'Incoming Webhooks'},
    outgoing_webhook_count: {id: 'admin.stats.outgoing', defaultMessage: 'Outgoing Webhooks'},
    file_post_count: {id: 'admin.stats.filePosts', defaultMessage: 'Posts with Files'},
    hashtag_post_count: {id: 'admin.stats.hashtagPosts', defaultMessage: 'Posts with Hashtags'},
});

const chartTitles = defineMessages({
    posts: {id: 'admin.stats.postsPerDay', defaultMessage: 'Posts per day'},
    posters: {id: 'admin.stats.postersPerDay', defaultMessage: 'Active users with posts per day'},
});

const ORDER: Array<keyof typeof labels> = [
    'unique_user_count', 'inactive_user_count', 'team_count', 'channel_open_count', 'channel_private_count', 'post_count',
    'daily_active_users', 'monthly_active_users', 'total_websocket_connections', 'total_master_db_connections',
    'session_count', 'command_count', 'incoming_webhook_count', 'outgoing_webhook_count', 'file_post_count', 'hashtag_post_count',
];

export function SiteStats({config}: {config: Config | null}) {
    const intl = useIntl();
    const clientConfig = useStore((s) => s.config);
    const [counts, setCounts] = useState<Record<string, number> | null>(null);
    const [posts, setPosts] = useState<Row[]>([]);
    const [posters, setPosters] = useState<Row[]>([]);
    const [error, setError] = useState<unknown>(null);

    useEffect(() => {
        let cancelled = false;
        (async () => {
            const [standard, extra, perDay, usersPerDay] = await Promise.all([
                client.getAnalytics('standard'), client.getAnalytics('extra_counts'),
                client.getAnalytics('post_counts_day'), client.getAnalytics('user_counts_with_posts_day'),
            ]);
            if (!cancelled) {
                setCounts({...rowsToMap(standard as Row[]), ...rowsToMap(extra as Row[])});
                setPosts(perDay as Row[]);
                setPosters(usersPerDay as Row[]);
            }
        })().catch((e) => !cancelled && setError(e));
        return () => {
            cancelled = true;
        };
    }, []);

    const metrics = config && getValue(config, 'MetricsSettings.Enable') === true
        ? metricsUrl(String(getValue(config, 'ServiceSettings.SiteURL') || window.location.origin), String(getValue(config, 'MetricsSettings.ListenAddress') || ''))
        : null;

    return (
        <div className='admin-page'>
            <PageHeader title={<FormattedMessage id='admin.page.systemAnalytics' defaultMessage='Site Statistics'/>}/>
            <div className='admin-page__body'>
                <ErrorNote error={error}/>
                {!counts && !error && <Loading/>}
                {counts && (
                    <>
                        <div className='admin-stats'>
                            {ORDER.filter((k) => k in counts && counts[k] >= 0).map((k) => (
                                <div key={k} className='admin-stat' data-stat={k}>
                                    <div className='admin-stat__label'>{intl.formatMessage(labels[k])}</div>
                                    <div className='admin-stat__value'><FormattedNumber value={counts[k]}/></div>
                                </div>
                            ))}
                        </div>
                        <DayChart title={chartTitles.posts} rows={posts}/>
                        <DayChart title={chartTitles.posters} rows={posters}/>
                    </>
                )}
                <section className='admin-card'>
                    <h2 className='admin-card__title'><FormattedMessage id='admin.stats.server' defaultMessage='Server'/></h2>
                    <dl className='admin-facts'>
                        <dt><FormattedMessage id='admin.stats.version' defaultMessage='Mattermost API version'/></dt>
                        <dd>{clientConfig.Version || '–'} <span className='muted'>({clientConfig.BuildHash || 'chinwag'} {clientConfig.BuildNumber || ''})</span></dd>
                        <dt><FormattedMessage id='admin.stats.metrics' defaultMessage='Prometheus metrics'/></dt>
                        <dd>{metrics
                            ? <a href={metrics} target='_blank' rel='noreferrer'>{metrics}</a>
                            : <FormattedMessage id='admin.stats.metricsOff' defaultMessage='Off. Turn on Performance Monitoring under Environment to serve them.'/>}
                        </dd>
                    </dl>
                </section>
            </div>
        </div>
    );
}

function DayChart({title, rows}: {title: MessageDescriptor; rows: Row[]}) {
    const intl = useIntl();
    const days = [...rows].reverse(); // oldest first, left to right
    const max = Math.max(1, ...days.map((r) => r.value));
    return (
        <section className='admin-card'>
            <h2 className='admin-card__title'>{intl.formatMessage(title)}</h2>
            {days.length === 0
                ? <p className='muted'><FormattedMessage id='admin.stats.noDays' defaultMessage='Nothing in the last 31 days.'/></p>
                : (
                    <table className='admin-chart'>
                        <caption className='sr-only'>{intl.formatMessage(title)}</caption>
                        <tbody>
                            {days.map((r) => (
                                <tr key={r.name}>
                                    <th scope='row'>{r.name}</th>
                                    <td>
                                        <span className='admin-chart__bar' style={{width: `${Math.max(2, (r.value / max) * 100)}%`}}/>
                                        <span className='admin-chart__value'><FormattedNumber value={r.value}/></span>
                                    </td>
                                </tr>
                            ))}
                        </tbody>
                    </table>
                )}
        </section>
    );
}
