import { createEngineClient } from '../worker/engine-client.ts';
import './memscope-app.ts';
import { registerServiceWorker } from './service-worker.ts';

const app = document.querySelector('memscope-app') ?? document.body.appendChild(document.createElement('memscope-app'));
app.engine = createEngineClient();
registerServiceWorker();
