/**
 * Electron host: one hardened window over the console core. Kept thin on purpose; the
 * core is shared with the web host. Hardening: context isolation, sandboxed renderer, no
 * Node integration, a strict CSP, navigation and new windows denied, every permission
 * request denied, IPC only from our own page and only through the validated API.
 */
import { app, BrowserWindow, ipcMain, net, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CHANNELS } from '../../../shared/api';
import { validateRequest } from '../../api/validate';
import { createConsoleCore } from '../../core/create';


/**
 * The renderer is served from a privileged `app://` scheme rather than file://: a standard,
 * secure, CORS-enabled origin of its own, so the page's hash-based CSP can verify its
 * scripts' integrity (SRI needs CORS-enabled fetches) and nothing else on disk is reachable.
 */
const APP_SCHEME = 'app';
const APP_ORIGIN = `${APP_SCHEME}://renderer`;
const rendererDir = normalize(join(__dirname, '../renderer'));
const rendererUrl = `${APP_ORIGIN}/index.html`;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
]);

/** Serves files of the renderer bundle only; anything outside it is 404. */
function serveRenderer(request: Request): Promise<Response> | Response {
  const url = new URL(request.url);
  const file = normalize(join(rendererDir, decodeURIComponent(url.pathname)));
  if (url.host !== 'renderer' || !file.startsWith(rendererDir + sep)) return new Response('not found', { status: 404 });
  return net.fetch(pathToFileURL(file).toString());
}

function isOwnPage(url: string | undefined): boolean {
  return url !== undefined && url.split('#')[0]!.split('?')[0] === rendererUrl;
}

async function createWindow(): Promise<void> {
  const core = await createConsoleCore({ resourcesDir: join(__dirname, '../../resources') });
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Foresight',
    backgroundColor: '#11151c',
    webPreferences: {
      // The preload is the only bridge to the main side, and it exposes nothing but the typed
      // API (src/preload/index.ts: method and event names checked there, payloads validated
      // again with zod in main). It runs sandboxed and context-isolated, without Node.
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      // Middle-click (auxclick) can open links in a new window behind the window-open handler's back.
      disableBlinkFeatures: 'Auxclick',
    },
  });

  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());

  ipcMain.handle(IPC_CHANNELS.invoke, async (event: IpcMainInvokeEvent, msg: unknown) => {
    if (!isOwnPage(event.senderFrame?.url)) throw new Error('IPC from an unexpected page');
    const body = (typeof msg === 'object' && msg !== null ? msg : {}) as Record<string, unknown>;
    const valid = validateRequest(body.method, body.req ?? null);
    if (!valid.ok) throw new Error(valid.error);
    return core.handle(valid.method, valid.req as never);
  });
  const unsubscribe = core.subscribe((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_CHANNELS.event, { event, payload });
  });
  win.on('closed', () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CHANNELS.invoke);
    void core.shutdown();
  });
  await win.loadURL(rendererUrl);
}

app.enableSandbox();
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(async () => {
  protocol.handle(APP_SCHEME, serveRenderer);
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // The Content-Security-Policy is the page's own meta tag (src/renderer/index.html): scripts
  // by hash only ('strict-dynamic' + the entry script's sha384, written by vite.csp.ts at
  // build time), no remote origin, no inline script, no eval.
  await createWindow();
});

app.on('window-all-closed', () => app.quit());
