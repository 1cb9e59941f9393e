import { IdbPluginLibrary } from '../browser/idb-plugin-library.ts';
import { IdbRememberedText } from '../browser/idb-remembered-text.ts';
import { IdbResultStore } from '../browser/idb-result-store.ts';
import { createEngineClient } from '../worker/engine-client.ts';
import { exportInWorker } from '../worker/export-client.ts';
import './memscope-app.ts';
import { registerServiceWorker } from './service-worker.ts';
import { ThirdPartyPlugins } from './third-party-plugins.ts';

const app = document.querySelector('memscope-app') ?? document.body.appendChild(document.createElement('memscope-app'));
// The plugin sandbox's bundle and memscope.wasm sit next to this one.
app.urlView = true;
app.exporter = exportInWorker();
app.results = new IdbResultStore();
app.rememberedText = new IdbRememberedText();
app.thirdParty = new ThirdPartyPlugins(new IdbPluginLibrary(), new URL('./', import.meta.url));
const engine = createEngineClient();
app.rawExport = engine;
app.engine = engine;
registerServiceWorker();
