/**
 * Electron host: one hardened window over the console core. Kept thin on purpose; the
 * core is shared with the web host. Hardening: context isolation, sandboxed renderer, no
 * Node integration, a strict CSP, navigation and new windows denied, every permission
 * request denied, IPC only from our own page and only through the validated API.
 */
import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CHANNELS } from '../../../shared/api';
import { validateRequest } from '../../api/validate';
import { createConsoleCore } from '../../core/create';


const rendererIndex = join(__dirname, '../renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).toString();

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
  await win.loadFile(rendererIndex);
}

app.enableSandbox();
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // The CSP is one literal so electronegativity's CSP checks can parse and evaluate it.
  // 'unsafe-inline' styles: React and pixi set element styles; scripts stay 'self' only.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [
          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
        ],
      },
    });
  });
  await createWindow();
});

app.on('window-all-closed', () => app.quit());
