import {defineConfig} from 'vite';
import react from '@vitejs/plugin-react';
import {fileURLToPath} from 'node:url';

const outDir = fileURLToPath(new URL('../src/chinwag/web/static', import.meta.url));

export default defineConfig({
    plugins: [react()],
    build: {
        outDir,
        emptyOutDir: true,
        sourcemap: false,
        chunkSizeWarningLimit: 800,
    },
    server: {
        // `npm run dev` proxies the API to a local `make run` server.
        proxy: {
            '/api/v4/websocket': {target: 'ws://127.0.0.1:8065', ws: true},
            '/api': 'http://127.0.0.1:8065',
        },
    },
    test: {
        environment: 'node',
        include: ['src/**/*.test.{ts,tsx}'],
    },
});
