// The System Console's logic: the schema, settings by path, checks, server errors to settings,
// user list queries, log lines, paths.
import {describe, expect, it} from 'vitest';
import type {MessageDescriptor} from 'react-intl';

import {
    FAKE_SECRET, changedKeys, check, checkPage, envVarName, errorReason, errorSetting, fromInput, getValue,
    isDisabledByDependency, isPinned, setValue, toInput, visibleSettings, type Config,
} from '../lib/config';
import {accessFrom, canRead, canWrite, firstPagePath, hasConsole, readableSections} from '../lib/access';
import {isAdminPath, parseAdminPath} from '../lib/paths';
import {FIRST_PAGE, SECTIONS, findPage} from '../lib/schema';
import {filterLogs, metricsUrl, parseLogLine, rowsToMap} from '../lib/stats';
import type {Setting, SettingsPage} from '../lib/types';
import {EMPTY_FILTER, keepStatus, listOptions, mainRole, rolesFor, searchOptions, statsQueries} from '../lib/users';

const settingsPages = SECTIONS.flatMap((s) => s.pages).filter((p): p is SettingsPage => p.kind === 'settings');
const allSettings = settingsPages.flatMap((p) => p.settings);

function messages(): MessageDescriptor[] {
    const out: MessageDescriptor[] = [];
    for (const section of SECTIONS) {
        out.push(section.title);
        for (const page of section.pages) {
            out.push(page.title);
            if (page.kind === 'settings') {
                if (page.intro) {
                    out.push(page.intro);
                }
                for (const s of page.settings) {
                    out.push(s.label, ...(s.help ? [s.help] : []), ...(s.options || []).map((o) => o.label));
                }
            }
        }
    }
    return out;
}

describe('schema', () => {
    it('prefixes every message id with admin. and gives one id one text', () => {
        const texts = new Map<string, string>();
        for (const m of messages()) {
            expect(String(m.id)).toMatch(/^admin\./);
            const before = texts.get(String(m.id));
            if (before !== undefined) {
                expect(m.defaultMessage).toBe(before);
            }
            texts.set(String(m.id), String(m.defaultMessage));
        }
        expect(texts.size).toBeGreaterThan(300);
    });

    it('has unique page ids, known dependencies and select defaults among the options', () => {
        const ids = SECTIONS.flatMap((s) => s.pages.map((p) => `${s.id}/${p.id}`));
        expect(new Set(ids).size).toBe(ids.length);
        const keys = new Set(allSettings.map((s) => s.key));
        for (const s of allSettings) {
            if (s.dependsOn) {
                expect(keys.has(s.dependsOn), `${s.key} depends on ${s.dependsOn}`).toBe(true);
            }
            if (s.type === 'select') {
                expect(s.options!.some((o) => o.value === s.default), s.key).toBe(true);
            }
            expect(check(s, s.default), `${s.key}'s default passes its own checks`).toBeNull();
        }
    });

    it("groups pages as Mattermost's System Console does", () => {
        expect(SECTIONS.map((s) => s.id)).toEqual(['user_management', 'reporting', 'environment', 'site_config', 'authentication', 'plugins', 'integrations']);
        expect(findPage('environment', 'smtp')?.page.kind).toBe('settings');
        expect(findPage('plugins', 'plugin_management')?.page.kind).toBe('custom');
        expect(findPage('authentication', 'gitlab')).not.toBeNull();
        expect(findPage('environment', 'nope')).toBeNull();
        expect(FIRST_PAGE).toBe('/admin_console/user_management/users');
    });
});

const text = (key: string, extra: Partial<Setting> = {}): Setting => ({key, type: 'text', default: '', label: {id: 'admin.x'}, ...extra});

describe('settings by path', () => {
    const cfg: Config = {ServiceSettings: {SiteURL: 'http://a', ListenAddress: ':8065'}, EmailSettings: {EnableSMTPAuth: false, SMTPUsername: 'u'}};

    it('reads and writes without touching other sections', () => {
        expect(getValue(cfg, 'ServiceSettings.SiteURL')).toBe('http://a');
        const next = setValue(cfg, 'ServiceSettings.SiteURL', 'http://b');
        expect(getValue(next, 'ServiceSettings.SiteURL')).toBe('http://b');
        expect(getValue(cfg, 'ServiceSettings.SiteURL')).toBe('http://a');
        expect(next.EmailSettings).toBe(cfg.EmailSettings);
    });

    it('shows only the settings the server has, and which changed', () => {
        const page: SettingsPage = {kind: 'settings', id: 'p', title: {id: 'admin.p'}, settings: [
            text('ServiceSettings.SiteURL'), text('LocalizationSettings.DefaultClientLocale'),
        ]};
        expect(visibleSettings(page, cfg).map((s) => s.key)).toEqual(['ServiceSettings.SiteURL']);
        expect(changedKeys(page, cfg, setValue(cfg, 'ServiceSettings.SiteURL', 'http://c'))).toEqual(['ServiceSettings.SiteURL']);
        expect(changedKeys(page, cfg, cfg)).toEqual([]);
    });

    it('knows pinned settings and their variable', () => {
        expect(isPinned({ServiceSettings: {SiteURL: true}}, 'ServiceSettings.SiteURL')).toBe(true);
        expect(isPinned({}, 'ServiceSettings.SiteURL')).toBe(false);
        expect(envVarName('RateLimitSettings.PerSec')).toBe('MM_RATELIMITSETTINGS_PERSEC');
    });

    it('disables a setting whose switch is off, through chains', () => {
        const auth: Setting = {key: 'EmailSettings.EnableSMTPAuth', type: 'bool', default: false, label: {id: 'admin.a'}};
        const user = text('EmailSettings.SMTPUsername', {dependsOn: 'EmailSettings.EnableSMTPAuth'});
        const deeper = text('EmailSettings.Other', {dependsOn: 'EmailSettings.SMTPUsername'});
        expect(isDisabledByDependency(user, [auth, user, deeper], cfg)).toBe(true);
        expect(isDisabledByDependency(deeper, [auth, user, deeper], cfg)).toBe(true);
        expect(isDisabledByDependency(user, [auth, user], setValue(cfg, 'EmailSettings.EnableSMTPAuth', true))).toBe(false);
    });

    it('turns typed text into values and back', () => {
        const list: Setting = {key: 'ServiceSettings.TrustedProxyIPHeader', type: 'list', default: [], label: {id: 'admin.l'}};
        expect(fromInput(list, 'X-Forwarded-For  X-Real-IP,')).toEqual(['X-Forwarded-For', 'X-Real-IP']);
        expect(toInput(list, ['A', 'B'])).toBe('A B');
        const num: Setting = {key: 'S.N', type: 'number', default: 1, label: {id: 'admin.n'}};
        expect(fromInput(num, ' 42 ')).toBe(42);
        expect(fromInput(num, '-1')).toBe(-1);
        expect(fromInput(num, '4x')).toBe('4x');
    });
});

describe('checks', () => {
    it('numbers, lengths, URLs, addresses', () => {
        const num: Setting = {key: 'S.N', type: 'number', default: 8, label: {id: 'admin.n'}, validate: {min: 5, max: 72}};
        expect(check(num, 8)).toBeNull();
        expect(check(num, 'soon')).toEqual({id: 'integer'});
        expect(check(num, 4)).toEqual({id: 'min', n: 5});
        expect(check(num, 73)).toEqual({id: 'max', n: 72});
        expect(check(text('S.A', {validate: {required: true}}), '  ')).toEqual({id: 'required'});
        expect(check(text('S.A', {validate: {maxLength: 3}}), 'abcd')).toEqual({id: 'maxLength', n: 3});
        expect(check(text('S.U', {validate: {url: true}}), 'chat.example.com')).toEqual({id: 'url'});
        expect(check(text('S.U', {validate: {url: true}}), 'https://chat.example.com')).toBeNull();
        expect(check(text('S.U', {validate: {url: true}}), '')).toBeNull();
        expect(check(text('S.E', {validate: {email: true}}), 'a@b')).toBeNull();
        expect(check(text('S.E', {validate: {email: true}}), 'ab')).toEqual({id: 'email'});
        expect(check(text('S.L', {validate: {hostPort: true}}), ':8065')).toBeNull();
        expect(check(text('S.L', {validate: {hostPort: true}}), '[::1]:8065')).toBeNull();
        expect(check(text('S.L', {validate: {hostPort: true}}), '8065')).toEqual({id: 'hostPort'});
        expect(check({key: 'S.P', type: 'secret', default: '', label: {id: 'admin.p'}, validate: {required: true}}, FAKE_SECRET)).toBeNull();
    });

    it('skips settings switched off', () => {
        const page: SettingsPage = {kind: 'settings', id: 'p', title: {id: 'admin.p'}, settings: [
            {key: 'R.Enable', type: 'bool', default: false, label: {id: 'admin.e'}},
            {key: 'R.PerSec', type: 'number', default: 10, label: {id: 'admin.r'}, validate: {min: 1}, dependsOn: 'R.Enable'},
        ]};
        expect(checkPage(page, {R: {Enable: false, PerSec: 0}})).toEqual({});
        expect(checkPage(page, {R: {Enable: true, PerSec: 0}})).toEqual({'R.PerSec': {id: 'min', n: 1}});
    });

    it("maps the server's errors to the setting they name", () => {
        expect(errorSetting({message: 'ServiceSettings.SiteURL: \'x\' must be an http(s) URL'})).toBe('ServiceSettings.SiteURL');
        expect(errorSetting({message: 'TeamSettings.SiteName is set by the environment variable MM_TEAMSETTINGS_SITENAME'})).toBe('TeamSettings.SiteName');
        expect(errorSetting({message: 'nope', detailed_error: 'RateLimitSettings.PerSec, ServiceSettings.SiteURL'})).toBe('RateLimitSettings.PerSec');
        expect(errorSetting({message: 'config: expected a JSON object'})).toBeNull();
        expect(errorReason('ServiceSettings.SiteURL: must be an http(s) URL')).toBe('must be an http(s) URL');
    });
});

describe('users list queries', () => {
    it('page the list on the server with the filters', () => {
        expect(listOptions(EMPTY_FILTER)).toEqual({});
        expect(listOptions({term: '', role: 'system_guest', team: 't1', status: 'inactive'})).toEqual({role: 'system_guest', in_team: 't1', inactive: true});
        expect(listOptions({term: '', role: '', team: 'none', status: 'active'})).toEqual({without_team: true, active: true});
    });

    it('count the same users the list shows', () => {
        expect(statsQueries(EMPTY_FILTER)).toEqual({plus: {include_bots: true, include_deleted: true}});
        expect(statsQueries({...EMPTY_FILTER, status: 'active', role: 'system_admin'})).toEqual({plus: {include_bots: true, roles: 'system_admin'}});
        expect(statsQueries({...EMPTY_FILTER, status: 'inactive', team: 't'})).toEqual({
            plus: {include_bots: true, in_team: 't', include_deleted: true}, minus: {include_bots: true, in_team: 't'},
        });
        expect(statsQueries({...EMPTY_FILTER, team: 'none'})).toBeNull();
    });

    it('search with the same filters', () => {
        expect(searchOptions({term: 'x', role: 'system_admin', team: 'none', status: 'all'})).toEqual({allow_inactive: true, limit: 100, role: 'system_admin', without_team: true});
        expect(searchOptions({term: 'x', role: '', team: 't', status: 'active'})).toEqual({allow_inactive: false, limit: 100, team_id: 't'});
        const found = [{delete_at: 0}, {delete_at: 5}];
        expect(keepStatus(found, 'inactive')).toEqual([{delete_at: 5}]);
        expect(keepStatus(found, 'active')).toEqual([{delete_at: 0}]);
    });

    it('roles', () => {
        expect(mainRole('system_user system_admin')).toBe('system_admin');
        expect(mainRole('system_guest')).toBe('system_guest');
        expect(mainRole('system_user')).toBe('system_user');
        expect(rolesFor('system_admin')).toBe('system_user system_admin');
        expect(mainRole('system_user system_user_manager')).toBe('system_user_manager');
        expect(mainRole('system_user system_read_only_admin')).toBe('system_read_only_admin');
        expect(rolesFor('system_manager')).toBe('system_user system_manager');
        expect(rolesFor('system_user')).toBe('system_user');
    });
});

describe('sub-admin access', () => {
    const um = accessFrom([{name: 'system_user', permissions: ['create_team']}, {name: 'system_user_manager', permissions: [
        'sysconsole_read_user_management_teams', 'sysconsole_write_user_management_teams',
        'sysconsole_read_user_management_channels', 'sysconsole_read_authentication_email']}]);
    const ro = accessFrom([{name: 'system_read_only_admin', permissions: [
        'sysconsole_read_site_customization', 'sysconsole_read_user_management_users', 'sysconsole_read_environment_web_server']}]);
    const page = (section: string, id: string) => findPage(section, id)!.page;

    it('shows only the pages a sub-admin may read', () => {
        expect(hasConsole(um)).toBe(true);
        expect(hasConsole(accessFrom([{name: 'system_user', permissions: ['create_team', 'view_members']}]))).toBe(false);
        const sections = readableSections(um, SECTIONS);
        expect(sections.map((s) => s.id)).toEqual(['user_management', 'authentication']);
        expect(sections[0].pages.map((p) => p.id)).toEqual(['teams', 'channels']);
        expect(sections[1].pages.map((p) => p.id)).toEqual(['email']);
        expect(firstPagePath(um, SECTIONS)).toBe('/admin_console/user_management/teams');
        expect(canRead(um, page('environment', 'web_server'))).toBe(false);
        expect(canRead(um, page('reporting', 'jobs'))).toBe(false);
    });

    it('reads without writing where only sysconsole_read is held', () => {
        expect(canRead(ro, page('site_config', 'customization'))).toBe(true);
        expect(canWrite(ro, page('site_config', 'customization'))).toBe(false);
        expect(canWrite(um, page('user_management', 'teams'))).toBe(true);
        expect(canWrite(um, page('user_management', 'channels'))).toBe(false);
    });

    it('lets a system admin see and change everything', () => {
        const admin = accessFrom([{name: 'system_admin', permissions: ['manage_system']}]);
        expect(readableSections(admin, SECTIONS)).toHaveLength(SECTIONS.length);
        expect(canWrite(admin, page('reporting', 'jobs'))).toBe(true);
        expect(firstPagePath(admin, SECTIONS)).toBe(FIRST_PAGE);
    });
});

describe('logs and statistics', () => {
    it('parse JSON and plain lines', () => {
        const j = parseLogLine('{"timestamp":"2026-12-06 12:00:00.000 Z","level":"warn","msg":"slow","caller":"chinwag.db","ms":900}');
        expect(j).toMatchObject({level: 'warn', time: '2026-12-06 12:00:00.000 Z', msg: 'slow', fields: {caller: 'chinwag.db', ms: 900}});
        const p = parseLogLine('2026-12-06 12:00:00.000 Z error boom caller=x');
        expect(p).toMatchObject({level: 'error', msg: 'boom caller=x'});
        expect(parseLogLine('something odd').level).toBe('');
    });

    it('filter by lowest level and text', () => {
        const lines = ['{"level":"debug","msg":"a"}', '{"level":"info","msg":"b login"}', '{"level":"error","msg":"c login"}'].map(parseLogLine);
        expect(filterLogs(lines, 'info', '').map((l) => l.msg)).toEqual(['b login', 'c login']);
        expect(filterLogs(lines, '', 'LOGIN').map((l) => l.msg)).toEqual(['b login', 'c login']);
        expect(filterLogs(lines, 'error', 'login').map((l) => l.msg)).toEqual(['c login']);
    });

    it('find the metrics endpoint and read rows', () => {
        expect(metricsUrl('https://chat.example.com', ':8067')).toBe('http://chat.example.com:8067/metrics');
        expect(metricsUrl('https://chat.example.com', '10.0.0.5:9100')).toBe('http://10.0.0.5:9100/metrics');
        expect(metricsUrl('https://chat.example.com', 'nonsense')).toBeNull();
        expect(rowsToMap([{name: 'post_count', value: 3}])).toEqual({post_count: 3});
    });
});

describe('paths', () => {
    it('parse console paths', () => {
        expect(isAdminPath('/admin_console')).toBe(true);
        expect(isAdminPath('/admin_consoles')).toBe(false);
        expect(parseAdminPath('/admin_console')).toEqual({kind: 'root'});
        expect(parseAdminPath('/admin_console/environment/smtp')).toEqual({kind: 'page', section: 'environment', page: 'smtp'});
        expect(parseAdminPath('/admin_console/user_management/user/abcdefghijklmnopqrstuvwxyz')).toEqual({kind: 'user', userId: 'abcdefghijklmnopqrstuvwxyz'});
        expect(parseAdminPath('/admin_console/a/b/c')).toEqual({kind: 'unknown'});
    });
});

describe('dependencies on a value', () => {
    it('disable S3 settings while files are local', () => {
        const bucket = allSettings.find((s) => s.key === 'FileSettings.AmazonS3Bucket')!;
        const dir = allSettings.find((s) => s.key === 'FileSettings.Directory')!;
        const local: Config = {FileSettings: {DriverName: 'local'}};
        expect(isDisabledByDependency(bucket, allSettings, local)).toBe(true);
        expect(isDisabledByDependency(dir, allSettings, local)).toBe(false);
        const s3 = setValue(local, 'FileSettings.DriverName', 'amazons3');
        expect(isDisabledByDependency(bucket, allSettings, s3)).toBe(false);
        expect(isDisabledByDependency(dir, allSettings, s3)).toBe(true);
    });
});

describe('OAuth 2.0 provider settings', () => {
    it('sit on Integration Management, the dynamic registration ones only while the provider is on', () => {
        const page = findPage('integrations', 'integration_management')!.page as SettingsPage;
        const keys = page.settings.map((s) => s.key);
        expect(keys.indexOf('ServiceSettings.EnableOAuthServiceProvider')).toBe(keys.indexOf('ServiceSettings.EnableCommands') + 1);
        const dcr = page.settings.find((s) => s.key === 'ServiceSettings.EnableDynamicClientRegistration')!;
        const allow = page.settings.find((s) => s.key === 'ServiceSettings.DCRRedirectURIAllowlist')!;
        const off: Config = {ServiceSettings: {EnableOAuthServiceProvider: false, EnableDynamicClientRegistration: true, DCRRedirectURIAllowlist: []}};
        expect(isDisabledByDependency(dcr, page.settings, off)).toBe(true);
        expect(isDisabledByDependency(allow, page.settings, off)).toBe(true);
        const on = setValue(off, 'ServiceSettings.EnableOAuthServiceProvider', true);
        expect(isDisabledByDependency(dcr, page.settings, on)).toBe(false);
        expect(isDisabledByDependency(allow, page.settings, on)).toBe(false);
        expect(fromInput(allow, 'https://a.example/** , https://b.example/cb')).toEqual(['https://a.example/**', 'https://b.example/cb']);
    });
});
