// What a failed request tells the user: the server's message as sent (the server writes it in the user's
// locale), and sentences of our own, in the UI's language, for what the browser or Client4 would otherwise
// say in English: the network being down, an answer that cannot be read, a proxy's error page.
import {ClientError} from '@mattermost/client';
import {afterAll, describe, expect, it} from 'vitest';

import {errorText, isNetworkError} from '../client';
import {activateLocale} from '../i18n';

const offline = new TypeError('Failed to fetch');
const unreadable = new ClientError('http://localhost', {message: 'Received invalid response from the server.', url: '/api/v4/users/me'});
const proxyPage = new ClientError('http://localhost', {message: '', status_code: 502, url: '/api/v4/posts'});
const refused = new ClientError('http://localhost', {message: 'У вас нет прав.', server_error_id: 'api.context.permissions.app_error',
    status_code: 403, url: '/api/v4/posts'});

describe('errorText', () => {
    afterAll(async () => {
        await activateLocale('en');
    });

    it('says network, unreadable and proxy failures in English', async () => {
        await activateLocale('en');
        expect(isNetworkError(offline)).toBe(true);
        expect(isNetworkError(refused)).toBe(false);
        expect(errorText(offline)).toBe('Cannot reach the server. Check your connection and try again.');
        expect(errorText(unreadable)).toBe('The server sent an answer that could not be read. Try again in a moment.');
        expect(errorText(proxyPage)).toBe('The server is not available right now (error 502). Try again in a moment.');
        expect(errorText(refused)).toBe('У вас нет прав.');  // the server's words, untouched
        expect(errorText(new ClientError('http://localhost', {message: '', status_code: 404, url: '/x'}))).toBe('Something went wrong.');
        expect(errorText(null, 'Could not save.')).toBe('Could not save.');
    });

    it('says them in Russian and Chinese', async () => {
        await activateLocale('ru');
        expect(errorText(offline)).toBe('Не удаётся связаться с сервером. Проверьте подключение к сети и попробуйте ещё раз.');
        expect(errorText(proxyPage)).toBe('Сервер сейчас недоступен (ошибка 502). Попробуйте ещё раз чуть позже.');
        expect(errorText(unreadable)).toMatch(/^Сервер прислал ответ/);
        await activateLocale('zh-CN');
        expect(errorText(offline)).toBe('无法连接到服务器。请检查网络连接后重试。');
        expect(errorText(proxyPage)).toBe('服务器暂时不可用（错误 502），请稍后重试。');
        expect(errorText(unreadable)).toBe('服务器返回的响应无法读取，请稍后重试。');
    });
});
