import type { ImageHashes } from '../engine/image-hash.ts';
import type { PluginOptions } from '../plugins/plugin.ts';
import { MEMSCOPE_VERSION } from '../version.ts';
import { asciiJson } from './vol-json.ts';

/** What the hash fields hold when the image file was not hashed before the export. */
export const NOT_COMPUTED = 'not computed';

/**
 * Where an export's rows came from (chain of custody). Every export writes it after its rows, when all of it is
 * known: CSV as rows whose first cell is `#` and the field name (csv.ts), JSON as a `metadata` member beside
 * Volatility's row list (`rows`), JSONL as a last `{"metadata": …}` line.
 */
export interface ExportMetadata {
  readonly memscopeVersion: string;
  readonly imageFile: string;
  /** Bytes of the image file as given (the container). */
  readonly imageSize: number;
  /** Lower-case hex, or NOT_COMPUTED. */
  readonly imageSha256: string;
  readonly imageMd5: string;
  readonly plugin: string;
  readonly pluginVersion: string;
  readonly options: PluginOptions;
  /** When the run started (ISO 8601, UTC). */
  readonly runStarted: string;
  /** How long it took; null when it did not finish. */
  readonly runSeconds: number | null;
  /** A cancelled or failed run's rows are the part found before it stopped. */
  readonly runStatus: 'complete' | 'cancelled' | 'failed';
  /** `all`: every row of the run, in its order; `shown`: the rows the table showed (filtered, sorted), in that order. */
  readonly rowSelection: 'all' | 'shown';
  /** The filter the shown rows passed, as typed (null: all rows, or none typed). */
  readonly rowFilter: string | null;
  /** Their order: a column name and "ascending" or "descending" (null: the run's own order). */
  readonly rowOrder: string | null;
  /** Rows in this export (tree plugins: every level counted). */
  readonly rowCount: number;
  /** Rows the run yielded. */
  readonly totalRows: number;
  /** When the export was written (ISO 8601, UTC). */
  readonly exportedAt: string;
}

/** What a run's exports share: all but which rows an export holds and when it was written. */
export type RunMetadata = Omit<ExportMetadata, 'rowSelection' | 'rowFilter' | 'rowOrder' | 'rowCount' | 'totalRows' | 'exportedAt'>;

/** The fields naming memscope, the image file and its hashes (NOT_COMPUTED when it was not hashed). */
export function imageMetadata(
  file: string,
  size: number,
  hashes: ImageHashes | undefined,
): Pick<ExportMetadata, 'memscopeVersion' | 'imageFile' | 'imageSize' | 'imageSha256' | 'imageMd5'> {
  return {
    memscopeVersion: MEMSCOPE_VERSION,
    imageFile: file,
    imageSize: size,
    imageSha256: hashes?.sha256 ?? NOT_COMPUTED,
    imageMd5: hashes?.md5 ?? NOT_COMPUTED,
  };
}

/** The metadata as ordered (field, text) pairs: options as JSON, everything else as it reads. */
export function metadataFields(metadata: ExportMetadata): [string, string][] {
  return Object.entries(metadata).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
}

/** `{"rows": …, "metadata": …}`: the JSON export opens with this, then Volatility's row list (VolJsonWriter)… */
export const JSON_EXPORT_OPEN = '{\n"rows": ';

/** …and closes with the metadata. */
export function jsonExportClose(metadata: ExportMetadata): string {
  return `,\n"metadata": ${asciiJson(metadata, 2)}\n}\n`;
}

/** The JSONL export's last line. */
export function jsonlMetadataLine(metadata: ExportMetadata): string {
  return `${asciiJson({ metadata })}\n`;
}
