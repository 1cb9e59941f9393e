import { expose } from 'comlink';
import { exportFile } from '../ui/exporter.ts';

/** Writes export files (CSV, JSON, JSONL) away from the page: rows arrive by structured clone, a Blob goes back. */
expose({ exportFile });
